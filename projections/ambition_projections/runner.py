"""The projection worker: parcours.events and the rejected topic -> the SQL read models.

At-least-once from Kafka, exactly-once effects: each batch is applied in one transaction whose
dedupe (aggregate version, refusal id) lives in the same rows; offsets are committed after.
"""
from __future__ import annotations

import logging
import signal
import time

from kafka import KafkaConsumer
from sqlalchemy import Engine

from ambition import metrics
from ambition.config import Settings

from . import parcours, refus
from .tables import metadata

log = logging.getLogger(__name__)


def create_tables(engine: Engine) -> None:
    metadata.create_all(engine)


def apply_domain_event(conn, record: dict) -> bool:
    """Apply one decoded domain event to every parcours view."""
    name = record["envelope"]["type"].rsplit(".", 1)[-1]
    return parcours.apply(conn, name, record["parcours"], record)


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
            session_timeout_ms=6000, heartbeat_interval_ms=1000, max_poll_interval_ms=60000,
            max_poll_records=500, client_id="ambition-projections",
        )

    def apply_batch(self, records) -> None:
        started = time.perf_counter()
        with self.engine.begin() as conn:
            for rec in records:
                if rec.topic == self.topics.rejets:
                    done = refus.apply(conn, rec.value)
                    metrics.PROJECTED.labels(refus.NAME, "applique" if done else "doublon").inc()
                    continue
                try:
                    record = self.registry.decode(rec.value).record
                except Exception as exc:  # our own output: should never happen, never silent
                    log.error("undecodable domain event at %s[%s]@%s: %s",
                              rec.topic, rec.partition, rec.offset, exc)
                    metrics.PROJECTED.labels(parcours.NAME, "illisible").inc()
                    continue
                done = apply_domain_event(conn, record)
                metrics.PROJECTED.labels(parcours.NAME, "applique" if done else "doublon").inc()
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
