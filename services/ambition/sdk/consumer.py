"""Reading the platform's validated domain events (``ambition.parcours.*``).

A partner reads its own feed, the events of the parcours it serves, with ``flux`` (the HTTP API,
its token: ``GET /v1/flux``). ``domain_events`` reads the whole ``parcours.events`` topic: that
is for the platform's own processes (with ``pour=<partner id>`` it keeps one partner's events).

Delivery is at least once: offsets are committed after the caller has taken every event of a
poll, so a crash redelivers; deduplicate on ``envelope["event_id"]`` or
(``parcours["parcours_id"]``, ``parcours["version"]``).
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any, Iterator

import httpx
from kafka import KafkaConsumer

from ambition.config import Settings, load_topics
from ambition.contracts.codec import CodecError, Registry
from ambition.flux.acteurs import sert

from .accuses import obtenir

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvenementDomaine:
    fullname: str  # "ambition.parcours.EleveInscrit"
    type: str  # "EleveInscrit"
    version: int  # writer schema version
    envelope: dict
    parcours: dict  # parcours_id, version, uai, mission_locale, origine_event_id, emetteur
    payload: dict  # the event's own fields
    key: bytes | None
    partition: int
    offset: int


def flux(api_url: str, token: str, depuis: int = 0, *, attendre: bool = False,
         pause: float = 1.0, client: httpx.Client | None = None) -> Iterator[tuple[int, dict]]:
    """Yield (position, event) of the caller's feed after position ``depuis``: each event is the
    domain event as JSON (``type``, ``envelope``, ``parcours``, its fields). Store the position
    of the last event handled and resume from it. Stops at the end of the log unless
    ``attendre`` (then polls every ``pause`` seconds)."""
    http = client or httpx.Client(base_url=api_url.rstrip("/"), timeout=30)
    try:
        while True:
            page = obtenir(http, "/v1/flux", params={"depuis": depuis},
                           headers={"Authorization": f"Bearer {token}"}).json()
            for e in page["evenements"]:
                yield e["position"], e
            depuis = page["position"]
            if page["fin"]:
                if not attendre:
                    return
                time.sleep(pause)
    finally:
        if client is None:
            http.close()


def domain_events(bootstrap: str, group_id: str, *, registry: Registry | None = None,
                  topic: str | None = None, idle_timeout_ms: int | None = None,
                  auto_offset_reset: str = "earliest", pour: str | None = None,
                  **kafka_config: Any) -> Iterator[EvenementDomaine]:
    """Yield decoded domain events. Stops after ``idle_timeout_ms`` without messages once partitions are
    assigned (None: never). ``kafka_config`` goes to KafkaConsumer (embedded broker: session_timeout_ms=6000,
    heartbeat_interval_ms=1000, max_poll_interval_ms=5000).
    Undecodable messages are logged and skipped (they cannot come from the platform)."""
    registry = registry or Registry.load(Settings().schemas_dir)
    consumer = KafkaConsumer(topic or load_topics().parcours, bootstrap_servers=bootstrap, group_id=group_id,
                             enable_auto_commit=False, auto_offset_reset=auto_offset_reset, **kafka_config)
    idle = 0
    try:
        while True:
            batch = consumer.poll(timeout_ms=500)
            if not batch:
                if consumer.assignment():  # idle time counts once the group has given us partitions
                    idle += 500
                if idle_timeout_ms is not None and idle >= idle_timeout_ms:
                    return
                continue
            idle = 0
            for records in batch.values():
                for r in records:
                    try:
                        d = registry.decode(r.value)
                    except CodecError as exc:
                        log.warning("skipped %s[%s]@%s: %s", r.topic, r.partition, r.offset, exc.code)
                        continue
                    if not d.fullname.startswith("ambition.parcours."):
                        log.warning("skipped %s on %s: not a domain event", d.fullname, r.topic)
                        continue
                    rec = dict(d.record)
                    env, parcours = rec.pop("envelope"), rec.pop("parcours")
                    if pour is not None and not sert(pour, parcours):
                        continue
                    yield EvenementDomaine(d.fullname, d.fullname.rsplit(".", 1)[1], d.version, env, parcours,
                                           rec, r.key, r.partition, r.offset)
            consumer.commit()
    finally:
        consumer.close()
