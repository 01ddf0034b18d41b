"""Rebuild read views from the event store, while the API keeps serving the current ones.

The notification log is read through `journal` (the relay's own mapping from stored events to
domain-event records), exactly as the projection worker reads it. They fill a
new generation of each view (`generations`); the switch locks the generation pointers, applies
what was stored since (the worker may have projected it into the old generation meanwhile), and
points the views at the new generation, in one transaction.
"""
from __future__ import annotations

import fcntl
import gc
import multiprocessing
import resource
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator
from uuid import UUID

from eventsourcing.postgres import PostgresApplicationRecorder
from sqlalchemy import Engine, text
from tqdm import tqdm

from ambition import metrics

from . import generations, territoires
from .journal import Journal
from .runner import VUES, appliquer, create_tables


def evenements(journal: Journal, depuis: int, page: int = 500) -> Iterator[tuple[int, list[dict]]]:
    """Pages of (last notification id, decoded domain-event records) from notification `depuis`."""
    while True:
        lus = journal.lire(depuis, page)
        if not lus:
            return
        yield lus[-1][0], [record for _, record in lus]
        depuis = lus[-1][0] + 1


class RebuildEnCours(RuntimeError):
    """Another rebuild of these read models is running."""


@contextmanager
def un_seul_rebuild(engine: Engine) -> Iterator[None]:
    """One rebuild at a time per read store: a PostgreSQL advisory lock, or an flock beside the
    SQLite file. Both are released if the process dies."""
    message = "another `ambition rebuild` is running on these read models: wait for it to finish"
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(hashtext('ambition-rebuild'))")).scalar():
                raise RebuildEnCours(message)
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(hashtext('ambition-rebuild'))"))
                conn.commit()
        return
    with open(Path(engine.url.database or "read-models").with_suffix(".rebuild.lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RebuildEnCours(message) from None
        yield


#: events a page of the rebuild: each view folds them in memory, and writes the new rows with
#: one COPY a table on PostgreSQL
PAGE = 10_000

#: the cyclic garbage collector's first threshold during a bulk rebuild (Python's default: 700)
RAMASSAGE = 100_000


@contextmanager
def ramassage_espace() -> Iterator[None]:
    """Fewer passes of the cyclic garbage collector: a rebuild makes millions of short-lived
    dicts that hold no cycle (records, rows), and a pass every 700 allocations over them and
    over the page being folded cost about a sixth of its CPU. What exists before (modules,
    tables' metadata) is set aside (`gc.freeze`); cycles are still collected, every
    `RAMASSAGE` allocations."""
    ancien = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(RAMASSAGE, *ancien[1:])
    try:
        yield
    finally:
        gc.set_threshold(*ancien)
        gc.unfreeze()


def rebuild(engine: Engine, app, registry, noms: list[str] | None = None, progress: bool = True,
            page: int = PAGE, massif: bool = True, processus: int = 1) -> dict:
    """Rebuild the views `noms` (default: all); returns their new generations and the position.
    ``massif``: new rows written with ``COPY`` on PostgreSQL and records taken from the mapper
    without the Avro round trip; False applies pages as the live worker does (a benchmark's
    baseline). ``processus``: with both stores on PostgreSQL, the parcours are shared among
    that many processes by ranges of their ids (each reads, maps and folds its own), so the
    rebuild uses as many cores (`ambition rebuild --processus N`). One by default: on the
    shared 2-core machine of the benchmarks, where the database needs the same cores, 2 were
    not faster (docs/performance.md). The result holds the largest peak memory of a process
    (``memoire_mib``: this one's, or a worker process's)."""
    noms = list(noms or VUES)
    unknown = [n for n in noms if n not in VUES]
    if unknown:
        raise ValueError(f"unknown view(s) {unknown}: choose among {', '.join(VUES)}")
    with un_seul_rebuild(engine):
        return _rebuild(engine, app, registry, noms, progress, page, massif, processus)


def _tranche(url: str, app_cls, env: dict, registry, cibles: dict[str, int], carte, total: int,
             page: int, de: UUID | None, a: UUID | None, file) -> None:
    """A worker process of a parallel rebuild: the parcours whose id is in [de, a), every
    notification up to `total`; reports each page applied, then its peak memory."""
    from ambition.sqlstore import make_engine

    try:
        engine = make_engine(url)
        app = app_cls(env=env, coffre=None)  # reads the log only: no identity
        with ramassage_espace():
            for records in Journal(app, registry, avro=False).par_parcours(total, page, de, a):
                with engine.begin() as conn:
                    appliquer(conn, records, cibles, carte=carte, massif=True, vierges=True)
                file.put(("page", len(records)))
        engine.dispose()  # the application's pool goes with the process
        file.put(("fin", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024))
    except BaseException as exc:  # the parent stops the rebuild, the new generation unserved
        file.put(("erreur", f"{type(exc).__name__}: {exc}"))
        raise


def _en_parallele(engine: Engine, app, registry, cibles: dict[str, int], carte, total: int,
                  page: int, processus: int, bar) -> tuple[int, float]:
    """Apply notifications 1 to `total` in `processus` processes; returns the events applied
    and the largest peak memory of a process (MiB)."""
    ctx = multiprocessing.get_context("spawn")
    file = ctx.Queue()
    bornes = [None] + [UUID(int=k * 2 ** 128 // processus) for k in range(1, processus)] + [None]
    url = engine.url.render_as_string(hide_password=False)
    enfants = [ctx.Process(target=_tranche, daemon=True,
                           args=(url, type(app), dict(app.env), registry, cibles, carte, total, page,
                                 bornes[k], bornes[k + 1], file))
               for k in range(processus)]
    for p in enfants:
        p.start()
    replayed, memoire, finis = 0, 0.0, 0
    try:
        while finis < processus:
            try:
                quoi, valeur = file.get(timeout=5)
            except Exception:  # nothing for a while: a worker that died without a word?
                if any(p.exitcode not in (None, 0) for p in enfants):
                    raise RuntimeError("a rebuild process died") from None
                continue
            if quoi == "page":
                replayed += valeur
                bar.update(valeur)
            elif quoi == "fin":
                finis, memoire = finis + 1, max(memoire, valeur)
            else:
                raise RuntimeError(f"a rebuild process failed: {valeur}")
    finally:
        for p in enfants:
            if p.is_alive() and finis < processus:
                p.terminate()
            p.join()
    return replayed, memoire


def _rebuild(engine: Engine, app, registry, noms: list[str], progress: bool, page: int,
             massif: bool, processus: int) -> dict:
    create_tables(engine)
    with engine.begin() as conn:
        courantes = generations.courantes(conn)
    cibles = {}
    for name in noms:
        vue = VUES[name]
        for gen in generations.existantes(engine, vue):  # the previous one, a failed rebuild's
            if gen != courantes[name]:
                generations.supprimer(engine, vue, gen)
        cibles[name] = courantes[name] + 1
        generations.creer(engine, vue, cibles[name])
    journal = Journal(app, registry, avro=not massif)
    carte = territoires.carte()  # read once for the whole rebuild
    position, replayed, memoire = 0, 0, 0.0
    total = app.recorder.max_notification_id() or 0
    # bulk: the log up to now read parcours after parcours (each parcours's rows written once),
    # in several processes when both stores are PostgreSQL; otherwise, or in memory, in
    # notification order
    pages = journal.par_parcours(total, page) if massif else None
    parallele = (pages is not None and processus > 1 and engine.dialect.name == "postgresql"
                 and isinstance(app.recorder, PostgresApplicationRecorder))
    with tqdm(total=total, desc=f"rebuild {', '.join(noms)}", unit="event", disable=not progress) as bar:
        if parallele:
            replayed, memoire = _en_parallele(engine, app, registry, cibles, carte, total, page,
                                              processus, bar)
            position = total
        elif pages is not None:
            with ramassage_espace():
                for records in pages:  # whole parcours, none of them in the new generation yet
                    with engine.begin() as conn:
                        appliquer(conn, records, cibles, carte=carte, massif=massif, vierges=True)
                    bar.update(len(records))
                    replayed += len(records)
            position = total
        else:
            for position_, records in evenements(journal, 1, page):
                with engine.begin() as conn:
                    appliquer(conn, records, cibles, carte=carte, massif=massif)
                bar.update(position_ - position)
                position, replayed = position_, replayed + len(records)
        with engine.begin() as conn:  # the bulk pages wrote rows only: their counts, once
            for name, gen in cibles.items():
                if hasattr(VUES[name], "recompter"):
                    VUES[name].recompter(conn, generations.tables(VUES[name], gen))
        with engine.begin() as conn:  # the switch: no projection batch runs meanwhile
            generations.verrouiller(conn)
            for position_, records in evenements(journal, position + 1, page):
                appliquer(conn, records, cibles, carte=carte)
                bar.update(position_ - position)
                position, replayed = position_, replayed + len(records)
            for name, gen in cibles.items():
                generations.basculer(conn, name, gen, position)
    for name, gen in cibles.items():
        metrics.REBUILD_EVENTS.labels(name).inc(replayed)
        metrics.VIEW_GENERATION.labels(name).set(gen)
    memoire = max(memoire, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return {"generations": cibles, "position": position, "evenements": replayed,
            "memoire_mib": memoire}
