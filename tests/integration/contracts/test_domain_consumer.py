"""``domain_events`` reads decoded domain events from parcours.events on the real broker."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaProducer

from ambition.config import load_topics
from ambition.contracts.exemples import exemple
from ambition.sdk.consumer import domain_events

pytestmark = pytest.mark.integration


def test_domain_events_are_decoded(kafka_bootstrap, registry):
    topic = load_topics().parcours
    producer = KafkaProducer(bootstrap_servers=kafka_bootstrap, acks="all")
    sent = {}
    for name in ("ambition.parcours.EleveInscrit", "ambition.parcours.ParcoursClos"):
        record = exemple(registry.schema(name).raw)
        record["envelope"]["event_id"] = str(uuid.uuid4())
        sent[record["envelope"]["event_id"]] = name
        producer.send(topic, key=record["envelope"]["subject"].encode(),
                      value=registry.encode(name, record)).get(timeout=10)
    producer.send(topic, key=b"x", value=b"garbage").get(timeout=10)  # skipped, not fatal
    producer.close()

    seen = {}  # read until both are seen; the idle timeout is only a generous safety net
    for ev in domain_events(kafka_bootstrap, f"test-{uuid.uuid4()}", registry=registry, idle_timeout_ms=60_000,
                            session_timeout_ms=6000, heartbeat_interval_ms=1000, max_poll_interval_ms=5000):
        if ev.envelope["event_id"] in sent:
            seen[ev.envelope["event_id"]] = ev
        if len(seen) == len(sent):
            break
    assert {k: v.fullname for k, v in seen.items()} == sent
    clos = next(v for v in seen.values() if v.type == "ParcoursClos")
    assert clos.parcours["parcours_id"] == "0b6c3f7e-8d51-4c0a-b1f2-3a4d5e6f7a8b"
    assert "envelope" not in clos.payload and clos.payload["issue"] == "FORMATION"
