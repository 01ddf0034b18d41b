"""`ambition rebuild [--projection NAME]`: rebuild read views from the event store."""
from __future__ import annotations

import argparse
import sys


def _rebuild(args: argparse.Namespace) -> int:
    from ambition.config import Settings
    from ambition.contracts.codec import Registry
    from ambition.bootstrap import make_app
    from ambition.sqlstore import read_engine

    from .rebuild import RebuildEnCours, rebuild

    settings = Settings()
    try:
        done = rebuild(read_engine(settings), make_app(settings), Registry.load(settings.schemas_dir),
                       args.projection or None, processus=args.processus)
    except RebuildEnCours as exc:
        print(exc, file=sys.stderr)
        return 1
    for name, gen in done["generations"].items():
        print(f"view {name}: generation {gen} now served")
    print(f"{done['evenements']} domain events replayed, up to notification {done['position']}")
    return 0


def register(subparsers) -> None:
    from .runner import VUES

    p = subparsers.add_parser("rebuild", help="rebuild read views from the event store (the API "
                              "serves the previous ones until the new ones are complete)")
    p.add_argument("--projection", action="append", choices=sorted(VUES), metavar="NAME",
                   help=f"view to rebuild (repeatable; default all): {', '.join(sorted(VUES))}")
    p.add_argument("--processus", type=int, default=1, metavar="N",
                   help="with the event store and the read store on PostgreSQL, share the parcours "
                        "among N processes (default 1; more only with free cores)")
    p.set_defaults(func=_rebuild)
