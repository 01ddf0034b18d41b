"""The projection worker: the event store's notification log -> the SQL read models.

The views follow the source of truth, not the broker: the worker polls the notification log
from the lowest position its views have reached (`journal`), and applies a page in one
transaction that locks the generation pointers, applies each domain event to every projection
that has not reached it (tracking: notification position per projection, and parcours id ->
last applied version), and advances the positions with the rows. No broker loss can open a gap
between the store and the views; a store that does not answer is waited for (`reconnect`).

Refusals are not domain events: a thread follows the rejected topic onto `vue_refus`
(deduplicated by refusal id, `refus`), independently of the broker's health.
"""
from __future__ import annotations

import logging
import signal
import threading
import time
from datetime import datetime, timezone

from kafka import KafkaConsumer
from sqlalchemy import Connection, Engine, select

from ambition import metrics
from ambition.config import Settings
from ambition.reconnect import Outage, retrying

from . import chronologie, erreurs, foquale, generations, lycee, missionlocale, psad, refus, territoires
from .journal import Journal
from .lot import Lot

log = logging.getLogger(__name__)

#: Every projection of the domain events, by name.
VUES = {v.NAME: v for v in (lycee, missionlocale, foquale, psad, chronologie)}


def create_tables(engine: Engine) -> None:
    generations.preparer(engine, VUES.values())


def appliquer(conn: Connection, records: list[dict], cibles: dict[str, int],
              prudent: bool = False, carte: territoires.Carte | None = None,
              massif: bool = False, vierges: bool = False) -> dict[str, int]:
    """Apply decoded domain events (in order) to the projections `cibles` (name -> generation).
    Returns how many each projection applied; events already tracked are skipped. Each view
    folds the events in one `Lot` (a read and a write a table). ``prudent``: each event in its
    own savepoint and `Lot`, and one that fails is parked (``erreurs``) and passed.
    ``carte``: the territories (default: the configured ones, read once for these events).
    ``massif``: new rows written with ``COPY`` on PostgreSQL (a rebuild's large pages).
    ``vierges``: the projections hold nothing yet of these records' parcours (a rebuild's page
    of whole parcours into its new generation): nothing is read back (tracking, rows)."""
    carte = carte or territoires.carte()
    # each record's parcours, version and type, read once for every projection
    entetes = [(str(m["parcours_id"]), int(m["version"]), r["envelope"]["type"].rsplit(".", 1)[-1], m, r)
               for r in records for m in (r["parcours"],)]
    pids = {e[0] for e in entetes}
    applied = {}
    plis = generations.Plis() if vierges else None  # every view applies every event
    for name, gen in cibles.items():
        vue = VUES[name]
        t = generations.tables(vue, gen)
        s = t.suivi
        vus = {} if vierges else dict(conn.execute(
            select(s.c.parcours_id, s.c.version).where(s.c.parcours_id.in_(pids))).all())
        changed: dict[str, int] = {}
        known = set(vus)
        lot = Lot(conn, pids, carte, massif, vierge=vierges, plis=plis)
        apply, n = vue.apply, 0
        if vierges and not prudent:  # every event new to the view (a parcours's in version order)
            for _, _, type_, meta, rec in entetes:
                apply(conn, t, type_, meta, rec, lot)
            changed, n = {e[0]: e[1] for e in entetes}, len(entetes)
        for pid, version, type_, meta, rec in entetes if not (vierges and not prudent) else ():
            if vus.get(pid, 0) >= version:
                continue
            if not prudent:
                apply(conn, t, type_, meta, rec, lot)
            else:
                try:
                    with conn.begin_nested():
                        un = Lot(conn, [pid], carte)
                        vue.apply(conn, t, type_, meta, rec, un)
                        un.ecrire()
                except Exception as exc:  # this view cannot apply it: parked, the view goes on
                    erreurs.garer(conn, name, type_, meta, exc)
            vus[pid] = changed[pid] = version
            n += 1
        if n:
            applied[name] = n
        lot.ecrire()
        ecrire = generations.copier if massif else generations.ecrire
        ecrire(conn, s, [{"parcours_id": p, "version": v} for p, v in changed.items()
                         if p not in known], existants=False)
        ecrire(conn, s, [{"parcours_id": p, "version": v} for p, v in changed.items()
                         if p in known], existants=True)
    return applied


class ProjectionWorker:
    def __init__(self, settings: Settings, engine: Engine, registry, app=None, idle: float = 0.1,
                 group_id: str = "ambition-projections", parts: int | None = None):
        if app is None:
            from ambition.bootstrap import make_app

            app = make_app(settings)
        self.settings, self.engine, self.registry = settings, engine, registry
        # the mapper's records as they are: the Avro round trip gives the same records (a test
        # checks it for every event type) and was a tenth of the worker's time
        self.journal = Journal(app, registry, avro=False)
        self.carte = territoires.carte(settings)
        self.topics, self.group_id, self.idle = settings.topics, group_id, idle
        self.evenements, self.vues = Outage("evenements"), Outage("vues")
        self.running, self.failure = True, None
        # the views shared among this many workers (PostgreSQL): each page takes a share
        self.parts = settings.projection_shares if parts is None else parts

    def step(self, page: int = 500) -> int:
        """Apply the next page of the notification log; returns how many notifications it held."""
        if self.parts > 1 and self.engine.dialect.name == "postgresql":
            return self._step_partage(page)

        def depuis() -> int:
            with self.engine.connect() as conn:
                return min(generations.positions(conn).values(), default=0) + 1

        debut = retrying(depuis, self.vues, self._running)
        lus = retrying(lambda: self.journal.lire(debut, page), self.evenements, self._running)
        if not lus:
            metrics.PROJECTION_LAG.set(0)
            return 0
        started = time.perf_counter()
        try:
            cibles, applied = retrying(lambda: self._appliquer(lus), self.vues, self._running)
        except Exception:
            if not self.running:
                raise
            log.exception("a page of %d events failed: applying it event by event", len(lus))
            cibles, applied = retrying(lambda: self._appliquer(lus, prudent=True), self.vues,
                                       self._running)
        self._mesurer(cibles, applied, lus, started)
        return len(lus)

    def _step_partage(self, page: int) -> int:
        """One page for a share of the views (PostgreSQL, ``parts`` > 1): the views furthest
        behind that no other worker holds, locked for the transaction, the log read from the
        lowest of their positions. Two workers thus apply different views at the same time; one
        alone takes the shares in turn (each reads the log for its share)."""
        def une_page(prudent: bool):
            with self.engine.begin() as conn:
                cibles = generations.verrouiller(conn, self.parts)
                if not cibles:  # every view is being applied by another worker
                    return {}, {}, []
                atteintes = generations.positions(conn)
                debut = min(atteintes.get(n, 0) for n in cibles) + 1
                lus = retrying(lambda: self.journal.lire(debut, page), self.evenements, self._running)
                if not lus:
                    return cibles, {}, []
                return cibles, self._appliquer_dans(conn, cibles, atteintes, lus, prudent), lus

        started = time.perf_counter()
        try:
            cibles, applied, lus = retrying(lambda: une_page(False), self.vues, self._running)
        except Exception:
            if not self.running:
                raise
            log.exception("a page failed: applying it event by event")
            cibles, applied, lus = retrying(lambda: une_page(True), self.vues, self._running)
        if not lus:
            return 0
        self._mesurer(cibles, applied, lus, started)
        return len(lus)

    def _mesurer(self, cibles: dict, applied: dict, lus: list, started: float) -> None:
        now = datetime.now(timezone.utc)
        for name, gen in cibles.items():
            metrics.VIEW_GENERATION.labels(name).set(gen)
            metrics.PROJECTED.labels(name, "applique").inc(applied.get(name, 0))
            metrics.PROJECTED.labels(name, "doublon").inc(len(lus) - applied.get(name, 0))
        for _, record in lus:
            metrics.PROJECTION_FRESHNESS.observe(max(0.0, (now - record["envelope"]["time"]).total_seconds()))
        metrics.PROJECTION_SECONDS.observe(time.perf_counter() - started)
        metrics.PROJECTION_LAG.set(max(0, retrying(self.journal.dernier, self.evenements,
                                                   self._running) - lus[-1][0]))

    def _appliquer(self, lus: list[tuple[int, dict]], prudent: bool = False) -> tuple[dict, dict]:
        """One transaction; ``prudent``: each event in its own savepoint, so that an event a
        view cannot apply is parked (``erreurs``) instead of stopping every view."""
        with self.engine.begin() as conn:
            cibles = generations.verrouiller(conn)
            return cibles, self._appliquer_dans(conn, cibles, generations.positions(conn), lus, prudent)

    def _appliquer_dans(self, conn: Connection, cibles: dict[str, int], atteintes: dict[str, int],
                        lus: list[tuple[int, dict]], prudent: bool) -> dict[str, int]:
        """Apply the page to the locked views `cibles`, each from its own position, and advance
        them; returns how many events each applied."""
        par_position: dict[int, dict[str, int]] = {}
        for name, gen in cibles.items():  # views at the same position share one pass
            par_position.setdefault(atteintes.get(name, 0), {})[name] = gen
        applied: dict[str, int] = {}
        for position, vues in par_position.items():
            records = [record for nid, record in lus if nid > position]
            if records:
                applied.update(appliquer(conn, records, vues, prudent, self.carte))
        generations.avancer(conn, cibles, lus[-1][0])
        return applied

    def _running(self) -> bool:
        return self.running

    # -- refusals: the rejected topic -> vue_refus ---------------------------------------------

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            self.topics.rejets,
            bootstrap_servers=self.settings.bootstrap, group_id=self.group_id,
            enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=int(self.settings.session_timeout * 1000),
            heartbeat_interval_ms=int(self.settings.heartbeat_interval * 1000), max_poll_interval_ms=60000,
            max_poll_records=500, fetch_max_wait_ms=50, client_id="ambition-projections",
        )

    def _apply_refus(self, records) -> None:
        try:
            done = self._refus_lot(records, prudent=False)
        except Exception:
            log.exception("a batch of %d refusals failed: recording them one by one", len(records))
            done = self._refus_lot(records, prudent=True)
        for d in done:
            metrics.PROJECTED.labels(refus.NAME, "applique" if d else "doublon").inc()

    def _refus_lot(self, records, prudent: bool) -> list[bool]:
        with self.engine.begin() as conn:
            return [self._refus(conn, rec, prudent) for rec in records]

    @staticmethod
    def _refus(conn, rec, prudent: bool) -> bool:
        if not prudent:
            return refus.apply(conn, rec.value)
        try:
            with conn.begin_nested():
                return refus.apply(conn, rec.value)
        except Exception:  # the document stays on the rejected topic; the views go on
            log.exception("refusal at %s[%s]@%s could not be recorded", rec.topic, rec.partition, rec.offset)
            metrics.PROJECTION_ERRORS.labels(refus.NAME).inc()
            return False

    def suivre_refus(self) -> None:
        """Follow the rejected topic until stopped; a broker away is waited for."""
        consumer = None
        try:
            while self.running:
                try:
                    consumer = consumer or self._consumer()
                    batches = consumer.poll(timeout_ms=200, max_records=500)
                    records = [r for part in batches.values() for r in part]
                    if records:
                        retrying(lambda: self._apply_refus(records), self.vues, self._running)
                        consumer.commit()
                except Exception as exc:
                    if not self.running:
                        break
                    if type(exc).__module__.split(".")[0] != "kafka":
                        raise
                    log.warning("rejected topic not followed (%s); retrying", exc)
                    time.sleep(1)
        except Exception as exc:  # a bug: stop the worker, the supervisor restarts it
            log.exception("refusals projection failed")
            self.failure, self.running = exc, False
        finally:
            if consumer is not None:
                consumer.close()

    def run(self) -> None:
        retrying(lambda: create_tables(self.engine), self.vues, self._running)
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        refusals = threading.Thread(target=self.suivre_refus, name="refus", daemon=True)
        refusals.start()
        log.info("projection worker following the event store; refusals from %s", self.topics.rejets)
        try:
            while self.running:
                try:
                    if not self.step():
                        time.sleep(self.idle)
                except Exception:
                    if self.running:
                        raise  # a bug, not an outage: the supervisor restarts the worker
        finally:
            self.running = False
            refusals.join(timeout=10)
        if self.failure is not None:
            raise RuntimeError("the refusals projection failed") from self.failure

    def stop(self) -> None:
        self.running = False
