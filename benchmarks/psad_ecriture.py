"""What the PSAD's counts cost the live path: `python -m benchmarks.psad_ecriture [--eleves N]`.

The PSAD view alone applies the random cohort of its counts' test (the records the journal
hands the projections: closures, corrections, moves, re-entries) with the worker's `appliquer`,
pages of 500, into a fresh PostgreSQL database: with the counts (`psad.apply`) and without
(the rows only, the apply before the counts), back to back, three rounds. Prints events per
second (wall clock) and per second of this process's CPU (PostgreSQL's own work not counted),
medians of the three.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path


def main(argv=None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--eleves", type=int, default=3000)
    args = p.parse_args(argv)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "integration" / "projections"))
    from test_psad_comptes import _cohorte

    from ambition.sqlstore import make_engine, sqlalchemy_url
    from ambition_projections import generations, psad, suivi
    from ambition_projections.runner import appliquer, create_tables

    from .ingest import _drop, _pg_dsn

    records = _cohorte(random.Random(3), args.eleves)
    avec = psad.apply

    def sans(conn, t, name, meta, rec, lot):
        generations.suivre(lot, t.parcours, name, meta, rec, derivees=suivi.dates_d_alerte,
                           territoire=lot.carte(meta["uai"]))

    res: dict[str, list] = {"sans": [], "avec": []}
    try:
        for _ in range(3):
            for nom, apply in (("sans", sans), ("avec", avec)):
                dsn = _pg_dsn()
                try:
                    engine = make_engine(sqlalchemy_url(dsn, None))
                    create_tables(engine)
                    with engine.connect() as conn:
                        gen = generations.courantes(conn)[psad.NAME]
                    psad.apply = apply
                    w, c = time.perf_counter(), time.process_time()
                    for i in range(0, len(records), 500):
                        with engine.begin() as conn:
                            appliquer(conn, records[i:i + 500], {psad.NAME: gen})
                    w, c = time.perf_counter() - w, time.process_time() - c
                    res[nom].append((len(records) / w, len(records) / c))
                    engine.dispose()
                finally:
                    _drop(dsn)
    finally:
        psad.apply = avec
    for nom, v in res.items():
        print(f"psad {nom} counts: {len(records):,} events, median {statistics.median(x[0] for x in v):,.0f}/s, "
              f"{statistics.median(x[1] for x in v):,.0f} per CPU second (load average {os.getloadavg()[0]:.1f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
