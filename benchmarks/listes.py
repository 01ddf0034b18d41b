"""A page of a lycée's list in the API: CPU a request with the list's index and without it
(as before it existed), same rows, same run, SQLite (the embedded default).

20,000 parcours in one lycée (the freshness benchmark's lycée gets that many; a large lycée
over several years some thousands). Run: ``python -m benchmarks.listes``.
"""
from __future__ import annotations

import statistics
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

N = 20_000
UAI = "0753268V"


def _mesurer(conn, t, limit: int, offset: int, fois: int = 30) -> float:
    from ambition_projections import lycee

    mesures = []
    for _ in range(fois):
        debut = time.process_time()
        lycee.eleves(conn, t, UAI, date(2025, 1, 15), limit, offset)
        mesures.append(time.process_time() - debut)
    return statistics.median(mesures) * 1000


def main() -> dict:
    from sqlalchemy import create_engine

    from ambition_projections import generations, lycee

    engine = create_engine(f"sqlite:///{Path(tempfile.mkdtemp(prefix='ambition-bench-')) / 'vues.sqlite'}")
    t = generations.creer(engine, lycee, 1)
    debut = date(2024, 9, 2)
    rows = [dict(parcours_id=str(uuid.UUID(int=i)), numero=1, cle=f"{i:064x}", etat="OUVERT", uai=UAI,
                 date_debut=debut + timedelta(days=i % 60), date_fin_prevue=debut + timedelta(days=120),
                 statut_scolaire=True, pacea=False, activites=[], periodes={}) for i in range(N)]
    with engine.begin() as conn:
        generations.ecrire(conn, t.eleves, rows, existants=False)
    index = f"ix_{t.eleves.name}_liste"
    pages = ((50, 0), (50, N // 2))
    resultats = {}
    with engine.connect() as conn:
        avec = {p: _mesurer(conn, t, *p) for p in pages}
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP INDEX {index}")
    with engine.connect() as conn:
        sans = {p: _mesurer(conn, t, *p) for p in pages}
    print(f"a page of a lycée's list ({N:,} parcours), CPU a request, medians of 30:")
    for limit, offset in pages:
        a, s = avec[(limit, offset)], sans[(limit, offset)]
        print(f"  {limit} rows from row {offset:,}: without the index {s:.2f} ms, with it {a:.2f} ms "
              f"(×{s / a:.1f})")
        resultats[f"{limit}@{offset}"] = {"sans_ms": s, "avec_ms": a}
    engine.dispose()
    return resultats


if __name__ == "__main__":
    main()
