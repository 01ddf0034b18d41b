"""The outbound relay: event store notification log -> parcours.events.

Reads the notification log from its last recorded position, turns each stored aggregate event
into its Avro domain event, publishes (idempotent producer, acks=all), waits for the
acknowledgements, then records the new position. A crash between publish and record
republishes: consumers deduplicate by (parcours id, version), which every message carries.
"""
from __future__ import annotations

import hashlib
import logging
import sys
import time
import uuid
from collections import OrderedDict
from datetime import datetime, timezone

from kafka import KafkaProducer
from sqlalchemy import Column, Integer, MetaData, String, Table, select

from . import metrics
from .config import Settings
from .parcours.droits import ISSUES, statut_scolaire_conserve
from .reconnect import Outage, unavailable
from .sqlstore import make_engine, sqlalchemy_url

log = logging.getLogger(__name__)

_meta = MetaData()
positions = Table("outbox_position", _meta, Column("name", String(50), primary_key=True),
                  Column("position", Integer, nullable=False))

DOMAIN_NS = uuid.UUID("6b1d0c1e-8f0a-4b8e-9a39-2f3c8f6f7a10")


_DOMAIN_NS = DOMAIN_NS.bytes


def domain_event_id(parcours_id, version: int) -> str:
    """Stable id of a domain event: the same stored event always gets the same id, the name-based
    UUID (version 5, RFC 4122) of "<parcours id>:<version>" in `DOMAIN_NS`, as
    ``uuid.uuid5`` makes it, written without its two intermediate UUID objects (a rebuild
    makes one an event)."""
    h = bytearray(hashlib.sha1(_DOMAIN_NS + f"{parcours_id}:{version}".encode()).digest()[:16])
    h[6] = (h[6] & 0x0F) | 0x50  # version 5
    h[8] = (h[8] & 0x3F) | 0x80  # the RFC 4122 variant
    x = h.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


def _plain(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


# Domain-event fields of events stored before the aggregate recorded them (older stores).
DERIVED = {"statut_scolaire_conserve": lambda attrs: statut_scolaire_conserve(attrs["issue"])
           if attrs.get("issue") in ISSUES else True}


class DomainEventMapper:
    """Stored aggregate event -> Avro record of `ambition.parcours.<Name>` (schema-driven).

    The parcours metadata every domain event carries (key, number, UAI, mission locale) is
    followed from the events themselves in notification order; after a restart in the middle
    of a parcours it is read once from the aggregate at that version. A correction of a closed
    parcours carries that parcours's own number and lycée.

    Only the ``retenus`` parcours seen last are kept in memory (least recently used first out):
    the relay would otherwise keep every parcours ever relayed, year after year. The bound
    holds a national cohort's parcours open at once (about 470 bytes each, 140 MB when full:
    lycées' and missions locales' ids are shared strings, a parcours without an earlier one has
    no history); an evicted parcours is read again from its aggregate at the event's version,
    as after a restart.
    """

    RETENUS = 300_000

    def __init__(self, app, registry, retenus: int = RETENUS):
        self.app, self.registry, self.retenus = app, registry, retenus
        self._meta: OrderedDict = OrderedDict()
        self._fields: dict[str, list[str]] = {}

    def fields(self, fullname: str) -> list[str]:
        if fullname not in self._fields:
            raw = self.registry.schema(fullname).raw
            self._fields[fullname] = [f["name"] for f in raw["fields"]]
        return self._fields[fullname]

    def _parcours_meta(self, event, name: str) -> dict:
        pid = event.originator_id
        if name == "EleveInscrit" and (event.numero or 1) == 1:
            self._meta[pid] = {"cle": event.cle, "numero": 1, "uai": sys.intern(event.uai),
                               "mission_locale": None, "anciens": None}
        elif name == "EleveInscrit" and pid in self._meta:  # a new parcours: keep the earlier ones'
            self._meta[pid].update(cle=event.cle, numero=event.numero, uai=sys.intern(event.uai),
                                   mission_locale=None)
        elif pid not in self._meta:
            p = self.app.repository.get(pid, version=event.originator_version)
            self._meta[pid] = {"cle": p.cle, "numero": p.numero, "uai": p.uai,
                               "mission_locale": getattr(p, "mission_locale", None),
                               "anciens": {n: h.get("uai") for n, h in
                                           getattr(p, "historique", {}).items()} or None}
        meta = self._meta[pid]
        self._meta.move_to_end(pid)
        while len(self._meta) > self.retenus:
            self._meta.popitem(last=False)
        if name in ("AccueilRealise", "MissionLocaleChangee"):
            meta["mission_locale"] = event.siret and sys.intern(event.siret)
        elif name == "ParcoursClos":
            meta["anciens"] = {**(meta["anciens"] or {}), meta["numero"]: meta["uai"]}
        numero = getattr(event, "numero", None) or meta["numero"]
        if numero != meta["numero"]:  # a correction of an earlier parcours
            return dict(meta, numero=numero, uai=(meta["anciens"] or {}).get(numero) or meta["uai"],
                        mission_locale=None)
        return meta

    def record(self, event) -> tuple[str, dict]:
        name = type(event).__name__
        fullname = f"ambition.parcours.{name}"
        attrs = vars(event)  # read only; each value taken is made plain (`_plain`)
        meta = self._parcours_meta(event, name)
        ts = attrs.get("timestamp")
        when = ts if isinstance(ts, datetime) else datetime.now(timezone.utc)
        pid = str(event.originator_id)
        record = {
            "envelope": {
                "event_id": domain_event_id(pid, event.originator_version),
                "source": "ambition", "type": fullname,
                "time": when.replace(microsecond=when.microsecond // 1000 * 1000),
                "subject": meta["cle"],
            },
            "parcours": {
                "parcours_id": pid, "version": event.originator_version,
                "numero": meta["numero"], "uai": meta["uai"], "mission_locale": meta["mission_locale"],
                "origine_event_id": _plain(attrs.get("origine_event_id")),
                "emetteur": _plain(attrs.get("emetteur")) or "ambition",
            },
        }
        for field in self.fields(fullname):
            if field not in record and field in attrs:
                value = _plain(attrs[field])
                record[field] = list(value) if isinstance(value, tuple) else value
            elif field in DERIVED:
                record[field] = DERIVED[field]({k: _plain(v) for k, v in attrs.items()})
        return fullname, record


class Relay:
    def __init__(self, settings: Settings, app, registry, name: str = "parcours.events"):
        self.settings, self.app, self.registry, self.name = settings, app, registry, name
        self.engine = make_engine(sqlalchemy_url(settings.event_store,
                                                 settings.var_dir / "event-store.sqlite"))
        _meta.create_all(self.engine)
        self.mapper = DomainEventMapper(app, registry)
        self.topic = settings.topics.parcours
        # Not kafka-python's idempotent mode: after a send timed out during a broker outage it
        # stays broken once the broker is back (seen with the partner outbox). One request in
        # flight keeps the order; a resend after a timeout is a duplicate that every consumer
        # drops by (parcours id, version).
        self.producer = KafkaProducer(bootstrap_servers=settings.bootstrap, acks="all",
                                      enable_idempotence=False,
                                      max_in_flight_requests_per_connection=1, linger_ms=5,
                                      client_id="ambition-outbox")
        self.running = True

    def position(self) -> int:
        with self.engine.connect() as conn:
            row = conn.execute(select(positions.c.position).where(positions.c.name == self.name)).first()
        return row.position if row else 0

    def _save_position(self, position: int) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(positions.update().where(positions.c.name == self.name)
                                .values(position=position)).rowcount
            if not done:
                conn.execute(positions.insert().values(name=self.name, position=position))

    def step(self, limit: int = 500) -> int:
        """Publish the next notifications; returns how many were published."""
        start = self.position() + 1
        notifications = self.app.recorder.select_notifications(start, limit)
        if not notifications:
            metrics.OUTBOX_LAG.set(0)
            return 0
        futures = []
        for n in notifications:
            event = self.app.mapper.to_domain_event(n)
            fullname, record = self.mapper.record(event)
            value = self.registry.encode(fullname, record)
            env = record["envelope"]
            headers = [("ce_id", env["event_id"].encode()), ("ce_source", b"ambition"),
                       ("ce_type", fullname.encode()), ("ce_specversion", b"1.0"),
                       ("ce_time", env["time"].isoformat().encode()),
                       ("content-type", b"application/avro")]
            futures.append(self.producer.send(self.topic, key=env["subject"].encode(),
                                              value=value, headers=headers))
        self.producer.flush(timeout=60)
        for f in futures:
            f.get(timeout=30)  # raises if the broker refused: the position is not advanced
        self._save_position(notifications[-1].id)
        metrics.OUTBOX_PUBLISHED.inc(len(notifications))
        self._mesurer_retard(notifications[-1].id)
        return len(notifications)

    def _mesurer_retard(self, position: int | None = None) -> None:
        """Lag = notifications stored after the relay's saved position (ids are gap-free on
        SQLite; on PostgreSQL a rolled-back transaction leaves a gap, so this is an upper bound)."""
        try:
            position = self.position() if position is None else position
            metrics.OUTBOX_LAG.set(max(0, (self.app.recorder.max_notification_id() or 0) - position))
        except Exception:  # the store is away too: keep the last value
            log.warning("outbound relay lag not measured: the event store does not answer")

    def run(self, idle: float = 0.1) -> None:
        log.info("outbound relay publishing to %s from position %s", self.topic, self.position())
        outage = Outage("evenements")
        while self.running:
            try:
                if not self.step():
                    time.sleep(idle)
                outage.ok()
            except Exception as exc:  # broker or store away: keep the position, try again
                if unavailable(exc):
                    time.sleep(outage.wait(exc))
                    continue
                log.exception("outbound relay step failed; retrying")
                self._mesurer_retard()  # the backlog grows while the broker is away: show it
                time.sleep(1)
        self.producer.close()

    def stop(self) -> None:
        self.running = False
