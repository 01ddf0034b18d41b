"""SDK fixtures: contract fixtures, and a fake Kafka producer whose broker can be 'down'."""
from __future__ import annotations

import threading

import pytest
from kafka.errors import KafkaTimeoutError

from contracts_support import *  # noqa: F401,F403


class Future:
    def __init__(self, error=None):
        self.is_done, self.error = True, error

    def get(self, timeout=None):
        if self.error:
            raise self.error
        return "ack"


class FlakyKafkaProducer:
    """Acknowledges what it is sent while ``up``; while down, every send fails (expired)."""

    def __init__(self):
        self.up = True
        self.sent: list[dict] = []
        self.closed = False
        self.lock = threading.Lock()

    def send(self, topic, value=None, key=None, headers=None):
        with self.lock:
            if not self.up:
                return Future(KafkaTimeoutError("expired: broker away"))
            self.sent.append(dict(topic=topic, value=value, key=key, headers=headers))
            return Future()

    def event_ids(self) -> list[str]:
        return [dict(m["headers"])["ce_id"].decode() for m in self.sent]

    def flush(self, timeout=None):
        pass

    def close(self, timeout=None):
        self.closed = True


@pytest.fixture
def kafka():
    return FlakyKafkaProducer()
