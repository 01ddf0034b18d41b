"""``ambition rebuild`` of every view on a national cohort in PostgreSQL (`cohorte.remplir`).

Each rebuild runs in a process of its own, so its peak memory (``ru_maxrss``) is the
rebuild's alone. Two paths, on the same store:

- bulk: what ``ambition rebuild`` does (pages of `rebuild.PAGE` events, new rows with
  ``COPY``, the mapper's records without the Avro round trip);
- worker: the live projection worker's way of applying (pages of 500, ``INSERT`` and
  ``UPDATE`` statements, every record through the Avro round trip), the baseline, measured
  on a smaller cohort (it is about ten times slower).
"""
from __future__ import annotations

import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

from .cohorte import remplir

BASE = "postgresql://postgres@127.0.0.1:5432"


def _un(dsn: str, massif: bool, file) -> None:
    from ambition.bootstrap import make_app
    from ambition.config import Settings
    from ambition.contracts.codec import Registry
    from ambition.sqlstore import read_engine
    from ambition_projections.rebuild import PAGE, rebuild

    s = Settings(var_dir=Path(tempfile.mkdtemp(prefix="ambition-rebuild-")), event_store=dsn,
                 read_store=dsn)
    engine, app = read_engine(s), make_app(s)
    registry = Registry.load(s.schemas_dir)
    started = time.perf_counter()
    done = rebuild(engine, app, registry, progress=False, page=PAGE if massif else 500,
                   massif=massif)
    elapsed = time.perf_counter() - started
    file.send({"evenements": done["evenements"], "secondes": elapsed,
               "rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024})
    app.close()
    engine.dispose()


def une_fois(dsn: str, massif: bool = True) -> dict:
    """One rebuild of every view in a fresh process: events, seconds, peak RSS (MiB)."""
    ctx = multiprocessing.get_context("spawn")
    lecture, ecriture = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_un, args=(dsn, massif, ecriture))
    p.start()
    resultat = lecture.recv()
    p.join()
    return resultat


def _base(nom: str) -> str:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {nom}")
        conn.execute(f"CREATE DATABASE {nom}")
    return f"{BASE}/{nom}"


def _supprimer(nom: str) -> None:
    import psycopg

    with psycopg.connect(f"{BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {nom} WITH (FORCE)")


def _mediane(dsn: str, massif: bool, rounds: int, label: str) -> dict:
    runs = []
    for k in range(rounds):
        r = une_fois(dsn, massif)
        runs.append(r)
        print(f"  {label} round {k + 1}: {r['evenements']:,} events in {r['secondes']:.1f} s = "
              f"{r['evenements'] / r['secondes']:,.0f}/s, peak RSS {r['rss_mib']:.0f} MiB", flush=True)
    return {"per_second": statistics.median(r["evenements"] / r["secondes"] for r in runs),
            "evenements": runs[0]["evenements"], "rss_mib": max(r["rss_mib"] for r in runs)}


def main(parcours: int = 20_000, rounds: int = 3, base_parcours: int = 2_000) -> dict:
    """The bulk rebuild on `parcours` parcours (median of `rounds`), and both paths on a
    cohort of `base_parcours` (same rounds), back to back."""
    prefixe = f"bench_rebuild_{os.getpid()}"
    out: dict = {}
    try:
        if base_parcours:
            dsn = _base(f"{prefixe}_base")
            f = remplir(dsn, base_parcours)
            print(f"rebuild: baseline cohort of {base_parcours:,} parcours, {f['evenements']:,} events "
                  f"stored in {f['secondes']:.0f} s", flush=True)
            out["worker"] = _mediane(dsn, False, rounds, "worker path")
            out["bulk_petit"] = _mediane(dsn, True, rounds, "bulk path  ")
            _supprimer(f"{prefixe}_base")
        dsn = _base(f"{prefixe}_cohorte")
        f = remplir(dsn, parcours)
        print(f"rebuild: cohort of {parcours:,} parcours, {f['evenements']:,} events stored in "
              f"{f['secondes']:.0f} s ({f['evenements'] / f['secondes']:,.0f}/s)", flush=True)
        out["bulk"] = _mediane(dsn, True, rounds, "bulk path  ")
        out["parcours"] = parcours
    finally:
        _supprimer(f"{prefixe}_base")
        _supprimer(f"{prefixe}_cohorte")
    return out
