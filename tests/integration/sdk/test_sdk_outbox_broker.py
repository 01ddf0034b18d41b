"""The outbox against a real broker frozen (SIGSTOP) for a few seconds: every event arrives."""
from __future__ import annotations

import socket
import time
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from ambition.broker import EmbeddedBroker
from ambition.config import load_topics
from ambition.sdk import LyceeProducer
from ambition.topics import create_topics
from contracts_support import INSCRIPTION

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def own_broker(tmp_path):
    """A broker of this test only: freezing it disturbs no other test."""
    b = EmbeddedBroker(free_port(), log_path=tmp_path / "tansu.log").start()
    create_topics(b.bootstrap, load_topics())
    yield b
    b.stop()


def event_ids_on(bootstrap: str, topic: str, expected: int, timeout: float = 20) -> list[str]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=1000)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    ids, deadline = [], time.monotonic() + timeout
    try:
        while len(ids) < expected and time.monotonic() < deadline:
            ids.extend(dict(m.headers)["ce_id"].decode() for m in consumer)
    finally:
        consumer.close()
    return ids


def test_an_outage_and_a_restart_during_it_lose_nothing(own_broker, settings, registry, creds, tmp_path):
    cred, path = creds["lycee:0753268V"], tmp_path / "outbox.sqlite"

    def producer():
        return LyceeProducer(cred, own_broker.bootstrap, settings=settings, registry=registry,
                             outbox_path=path)

    sent = []

    def enrol(p, n):
        for _ in range(n):
            eid = str(uuid.uuid4())
            p.eleve_inscrit(**{**INSCRIPTION, "ine": f"{len(sent):010d}A"}, event_id=eid)
            sent.append(eid)

    p = producer()
    enrol(p, 3)
    assert p.flush(timeout=20)
    own_broker.freeze()
    try:
        enrol(p, 5)
        time.sleep(2)
        assert p.pending() == 5
        p.close(timeout=1)  # the partner system stops during the outage ...
        p = producer()  # ... and starts again before the broker is back
        enrol(p, 2)
        time.sleep(2)
        assert p.pending() == 7
    finally:
        own_broker.thaw()
    assert p.flush(timeout=60), p._drainer.last_error
    p.close()
    ids = event_ids_on(own_broker.bootstrap, p.topic, len(sent))
    assert set(ids) == set(sent)  # all there; a frozen in-flight request may add a duplicate
