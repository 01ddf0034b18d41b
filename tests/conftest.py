"""Fixtures shared by every tier: a real embedded Kafka-protocol broker (Tansu)."""
from __future__ import annotations

import socket

import pytest

from ambition.broker import EmbeddedBroker
from ambition.config import load_topics
from ambition.topics import create_topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def broker(tmp_path_factory) -> EmbeddedBroker:
    """A real Tansu broker for the whole session; a broker that cannot start fails the tests."""
    log = tmp_path_factory.mktemp("broker") / "tansu.log"
    b = EmbeddedBroker(free_port(), log_path=log)
    b.start()
    create_topics(b.bootstrap, load_topics())
    yield b
    b.stop()


@pytest.fixture(scope="session")
def kafka_bootstrap(broker: EmbeddedBroker) -> str:
    return broker.bootstrap
