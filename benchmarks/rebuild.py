"""``ambition rebuild`` of every view on a national cohort in PostgreSQL (`cohorte.remplir`).

Each rebuild runs in a process of its own, so its peak memory (``ru_maxrss``) is the
rebuild's alone. Two paths, on the same store:

- bulk: what ``ambition rebuild`` does (the log read parcours after parcours in pages of
  `rebuild.PAGE` events, new rows with ``COPY``, the mapper's records without the Avro round
  trip), in one process (the default) and in 2 (``--processus 2``);
- worker: the live projection worker's way of applying (the log in notification order,
  pages of 500, ``INSERT`` and ``UPDATE`` statements, every record through the Avro round
  trip), the baseline, measured on a smaller cohort (it is about ten times slower).

Each rate is printed with the events per CPU second of the rebuild's own processes (the
database's work is not counted): the machine is shared, so the wall-clock rate depends on the
load; the CPU rate much less.
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


def _cpu() -> float:
    """CPU seconds of this process and of its waited-for children (a parallel rebuild's)."""
    moi, enfants = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return moi.ru_utime + moi.ru_stime + enfants.ru_utime + enfants.ru_stime


def _un(dsn: str, massif: bool, processus: int, file) -> None:
    from ambition.bootstrap import make_app
    from ambition.config import Settings
    from ambition.contracts.codec import Registry
    from ambition.sqlstore import read_engine
    from ambition_projections.rebuild import PAGE, rebuild

    s = Settings(var_dir=Path(tempfile.mkdtemp(prefix="ambition-rebuild-")), event_store=dsn,
                 read_store=dsn)
    engine, app = read_engine(s), make_app(s)
    registry = Registry.load(s.schemas_dir)
    started, cpu = time.perf_counter(), _cpu()
    done = rebuild(engine, app, registry, progress=False, page=PAGE if massif else 500,
                   massif=massif, processus=processus)
    elapsed = time.perf_counter() - started
    file.send({"evenements": done["evenements"], "secondes": elapsed, "cpu": _cpu() - cpu,
               "rss_mib": done["memoire_mib"]})
    app.close()
    engine.dispose()


def une_fois(dsn: str, massif: bool = True, processus: int = 2) -> dict:
    """One rebuild of every view in a fresh process: events, seconds, CPU seconds of its
    processes (not the database's), the largest peak RSS of a process (MiB)."""
    ctx = multiprocessing.get_context("spawn")
    lecture, ecriture = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_un, args=(dsn, massif, processus, ecriture))
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


def _mediane(dsn: str, massif: bool, processus: int, rounds: int, label: str) -> dict:
    runs = []
    for k in range(rounds):
        r = une_fois(dsn, massif, processus)
        runs.append(r)
        print(f"  {label} round {k + 1}: {r['evenements']:,} events in {r['secondes']:.1f} s = "
              f"{r['evenements'] / r['secondes']:,.0f}/s ({r['evenements'] / r['cpu']:,.0f} per CPU "
              f"second of the rebuild's processes), peak RSS {r['rss_mib']:.0f} MiB", flush=True)
    return {"per_second": statistics.median(r["evenements"] / r["secondes"] for r in runs),
            "per_cpu_second": statistics.median(r["evenements"] / r["cpu"] for r in runs),
            "evenements": runs[0]["evenements"], "rss_mib": max(r["rss_mib"] for r in runs)}


def _cohorte(nom: str, parcours: int, quoi: str) -> str:
    """A new database named `nom` holding a cohort of `parcours` parcours; its address."""
    dsn = _base(nom)
    f = remplir(dsn, parcours)
    print(f"rebuild: {quoi} of {parcours:,} parcours, {f['evenements']:,} events stored in "
          f"{f['secondes']:.0f} s ({f['evenements'] / f['secondes']:,.0f}/s)", flush=True)
    return dsn


def main(parcours: int = 20_000, rounds: int = 3, base_parcours: int = 2_000) -> dict:
    """The worker's path and the bulk one (1 process) on a cohort of `base_parcours`, then the
    bulk one in 1 and in 2 processes on `parcours` parcours; each a median of `rounds`."""
    prefixe = f"bench_rebuild_{os.getpid()}"
    out: dict = {}
    try:
        if base_parcours:
            dsn = _cohorte(f"{prefixe}_base", base_parcours, "baseline cohort")
            out["worker"] = _mediane(dsn, False, 1, rounds, "worker path        ")
            out["bulk_petit"] = _mediane(dsn, True, 1, rounds, "bulk, 1 process    ")
            _supprimer(f"{prefixe}_base")
        dsn = _cohorte(f"{prefixe}_cohorte", parcours, "cohort")
        out["bulk_1"] = _mediane(dsn, True, 1, rounds, "bulk, 1 process    ")
        out["bulk"] = _mediane(dsn, True, 2, rounds, "bulk, 2 processes  ")
        out["parcours"] = parcours
    finally:
        _supprimer(f"{prefixe}_base")
        _supprimer(f"{prefixe}_cohorte")
    return out
