"""`python -m benchmarks.profil [ingest|rebuild] [--n N] [--dsn postgresql://...]`: cProfile of
the ingest path without the broker (``Processor.handle``, batches of 200) or of ``rebuild`` of
every view, on signed enrolments from the demo lycées, in a temporary store (SQLite unless
``--dsn`` names an empty PostgreSQL database). Prints the functions by cumulative time."""
from __future__ import annotations

import argparse
import cProfile
import pstats
import tempfile
import time
from pathlib import Path

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.contracts.partners import PartnerDirectory, demo_partners
from ambition.ingest.messages import Incoming
from ambition.ingest.processor import Processor

from .messages import enrolments


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m benchmarks.profil", description=__doc__)
    p.add_argument("quoi", choices=("ingest", "rebuild"))
    p.add_argument("--n", type=int, default=2000, help="enrolments (default 2000)")
    p.add_argument("--dsn", default="", help="an empty PostgreSQL database (default: SQLite)")
    p.add_argument("--lignes", type=int, default=40, help="functions shown (default 40)")
    args = p.parse_args(argv)
    base = Path(tempfile.mkdtemp(prefix="ambition-profil-"))
    partenaires = Settings(var_dir=base / "partners")
    demo_partners(partenaires)
    lot = enrolments(partenaires, args.n)
    s = Settings(var_dir=base / "store", event_store=args.dsn, read_store=args.dsn,
                 partners_path=str(partenaires.partners_file))
    app, registry = make_app(s), Registry.load(s.schemas_dir)
    proc = Processor(s, app, registry, PartnerDirectory.load(partenaires))
    batch = [Incoming(s.topics.lycee, 0, k, key, value, headers)
             for k, (key, value, headers) in enumerate(lot.messages)]
    profil = cProfile.Profile()
    if args.quoi == "ingest":
        profil.enable()
    started = time.perf_counter()
    for k in range(0, len(batch), 200):
        proc.handle(batch[k:k + 200])
    if args.quoi == "rebuild":
        from ambition.sqlstore import read_engine
        from ambition_projections.rebuild import rebuild

        started = time.perf_counter()
        profil.enable()
        n = rebuild(read_engine(s), app, registry, progress=False)["evenements"]
    else:
        n = len(batch)
    profil.disable()
    elapsed = time.perf_counter() - started
    print(f"{args.quoi}: {n} in {elapsed:.1f} s under the profiler ({n / elapsed:,.0f}/s)")
    pstats.Stats(profil).sort_stats("cumulative").print_stats(args.lignes)
    app.close()


if __name__ == "__main__":
    main()
