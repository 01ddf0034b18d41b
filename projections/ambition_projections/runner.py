"""The projection worker: parcours.events and the rejected topic -> the SQL read models.

At-least-once from Kafka, exactly-once effects: a batch is applied in one transaction that
locks the generation pointers, applies each domain event to every projection whose tracking
(parcours id -> last applied version) has not seen it, and writes the tracking with the rows;
Kafka offsets are committed after. Refusals are deduplicated by their id (`refus`).
"""
from __future__ import annotations

import logging
import signal
import time
from datetime import datetime, timezone

from kafka import KafkaConsumer
from sqlalchemy import Connection, Engine, select

from ambition import metrics
from ambition.config import Settings

from . import chronologie, erreurs, foquale, generations, lycee, missionlocale, psad, refus

log = logging.getLogger(__name__)

#: Every projection of the domain events, by name.
VUES = {v.NAME: v for v in (lycee, missionlocale, foquale, psad, chronologie)}


def create_tables(engine: Engine) -> None:
    generations.preparer(engine, VUES.values())


def appliquer(conn: Connection, records: list[dict], cibles: dict[str, int],
              prudent: bool = False) -> dict[str, int]:
    """Apply decoded domain events (in order) to the projections `cibles` (name -> generation).
    Returns how many each projection applied; events already tracked are skipped. ``prudent``:
    each event in its own savepoint, and one that fails is parked (``erreurs``) and passed."""
    pids = {str(r["parcours"]["parcours_id"]) for r in records}
    applied = {}
    for name, gen in cibles.items():
        vue = VUES[name]
        t = generations.tables(vue, gen)
        s = t.suivi
        vus = dict(conn.execute(select(s.c.parcours_id, s.c.version).where(s.c.parcours_id.in_(pids))).all())
        changed: dict[str, int] = {}
        known = set(vus)
        for rec in records:
            meta = rec["parcours"]
            pid, version = str(meta["parcours_id"]), int(meta["version"])
            if vus.get(pid, 0) >= version:
                continue
            type_ = rec["envelope"]["type"].rsplit(".", 1)[-1]
            if not prudent:
                vue.apply(conn, t, type_, meta, rec)
            else:
                try:
                    with conn.begin_nested():
                        vue.apply(conn, t, type_, meta, rec)
                except Exception as exc:  # this view cannot apply it: parked, the view goes on
                    erreurs.garer(conn, name, type_, meta, exc)
            vus[pid] = changed[pid] = version
            applied[name] = applied.get(name, 0) + 1
        generations.ecrire(conn, s, [{"parcours_id": p, "version": v} for p, v in changed.items()
                                     if p not in known], existants=False)
        generations.ecrire(conn, s, [{"parcours_id": p, "version": v} for p, v in changed.items()
                                     if p in known], existants=True)
    return applied


class ProjectionWorker:
    def __init__(self, settings: Settings, engine: Engine, registry, group_id: str = "ambition-projections"):
        self.settings, self.engine, self.registry = settings, engine, registry
        self.topics = settings.topics
        self.group_id = group_id
        self.running = True

    def _consumer(self) -> KafkaConsumer:
        return KafkaConsumer(
            self.topics.parcours, self.topics.rejets,
            bootstrap_servers=self.settings.bootstrap, group_id=self.group_id,
            enable_auto_commit=False, auto_offset_reset="earliest",
            session_timeout_ms=int(self.settings.session_timeout * 1000),
            heartbeat_interval_ms=int(self.settings.heartbeat_interval * 1000), max_poll_interval_ms=60000,
            max_poll_records=500, fetch_max_wait_ms=50, client_id="ambition-projections",
        )

    def _decode(self, rec) -> dict | None:
        try:
            return self.registry.decode(rec.value).record
        except Exception as exc:  # our own output: should never happen, never silent
            log.error("undecodable domain event at %s[%s]@%s: %s", rec.topic, rec.partition, rec.offset, exc)
            metrics.PROJECTED.labels("domaine", "illisible").inc()
            return None

    def apply_batch(self, records) -> None:
        """One transaction; if it fails, once more with each event in its own savepoint, so that
        an event a view cannot apply is parked (``erreurs``) instead of stopping every view."""
        try:
            self._apply_batch(records, prudent=False)
        except Exception:
            log.exception("a batch of %d records failed: applying it event by event", len(records))
            self._apply_batch(records, prudent=True)

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

    def _apply_batch(self, records, prudent: bool) -> None:
        started = time.perf_counter()
        events = []
        with self.engine.begin() as conn:
            cibles = generations.verrouiller(conn)
            for rec in records:
                if rec.topic == self.topics.rejets:
                    done = self._refus(conn, rec, prudent)
                    metrics.PROJECTED.labels(refus.NAME, "applique" if done else "doublon").inc()
                elif (record := self._decode(rec)) is not None:
                    events.append(record)
            applied = appliquer(conn, events, cibles, prudent) if events else {}
        now = datetime.now(timezone.utc)
        for name, gen in cibles.items():
            metrics.VIEW_GENERATION.labels(name).set(gen)
        for name in VUES if events else ():
            n = applied.get(name, 0)
            metrics.PROJECTED.labels(name, "applique").inc(n)
            metrics.PROJECTED.labels(name, "doublon").inc(len(events) - n)
        for record in events:
            metrics.PROJECTION_FRESHNESS.observe(max(0.0, (now - record["envelope"]["time"]).total_seconds()))
        metrics.PROJECTION_SECONDS.observe(time.perf_counter() - started)

    def run(self) -> None:
        create_tables(self.engine)
        consumer = self._consumer()
        signal.signal(signal.SIGTERM, lambda *_: self.stop())
        log.info("projection worker consuming %s, %s", self.topics.parcours, self.topics.rejets)
        try:
            while self.running:
                batches = consumer.poll(timeout_ms=200, max_records=500)
                records = [r for part in batches.values() for r in part]
                if not records:
                    continue
                self.apply_batch(records)
                consumer.commit()
        finally:
            consumer.close()

    def stop(self) -> None:
        self.running = False
