"""`python -m benchmarks [NAME ...]` (`make bench`): run the named benchmarks, default all."""
from __future__ import annotations

import argparse
import importlib
import sys

BENCHMARKS = {"freshness": "benchmarks.freshness", "ingest": "benchmarks.ingest"}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("names", nargs="*", metavar="NAME",
                   help=f"benchmarks to run (default all): {', '.join(BENCHMARKS)}")
    p.add_argument("--rate", type=float, default=200, help="partner events per second (default 200)")
    p.add_argument("--seconds", type=float, default=30, help="measured duration (default 30)")
    args = p.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        p.error(f"unknown benchmark(s) {', '.join(unknown)}: choose among {', '.join(BENCHMARKS)}")
    for name in args.names or list(BENCHMARKS):
        importlib.import_module(BENCHMARKS[name]).run(rate=args.rate, seconds=args.seconds)
    return 0


if __name__ == "__main__":
    sys.exit(main())
