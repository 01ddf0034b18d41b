"""The whole platform as processes, on its own real broker and data directory."""
from __future__ import annotations

import socket
import time

import httpx
import pytest

from ambition.broker import EmbeddedBroker
from ambition.config import Settings, load_topics
from ambition.contracts.partners import demo_partners
from ambition.local import LocalPlatform
from ambition.topics import create_topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    def __init__(self, settings: Settings, env: dict, platform: LocalPlatform, broker: EmbeddedBroker):
        self.settings, self.env, self.platform, self.broker = settings, env, platform, broker
        self.base_url = f"http://127.0.0.1:{settings.api_port}"
        self.http = httpx.Client(base_url=self.base_url, timeout=10)

    def get(self, path: str, **params) -> dict:
        r = self.http.get(path, params=params)
        r.raise_for_status()
        return r.json()

    def wait_for(self, path: str, predicate, timeout: float = 60, **params) -> dict:
        """Poll a view until it satisfies predicate (the platform is asynchronous)."""
        deadline = time.monotonic() + timeout
        body = None
        while time.monotonic() < deadline:
            if self.platform.dead():
                raise AssertionError(f"worker(s) died: {self.platform.dead()}")
            body = self.get(path, **params)
            if predicate(body):
                return body
            time.sleep(0.3)
        raise AssertionError(f"{path} never satisfied the condition; last: {body}")


@pytest.fixture(scope="module")
def running(tmp_path_factory, monkeypatch_module):
    base = tmp_path_factory.mktemp("platform")
    broker = EmbeddedBroker(free_port(), log_path=base / "broker.log").start()
    env = {
        "AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap,
        "AMBITION_VAR_DIR": str(base / "var"),
        "AMBITION_API_PORT": str(free_port()),
        "AMBITION_INGEST_METRICS_PORT": str(free_port()),
        "AMBITION_PROJECTION_METRICS_PORT": str(free_port()),
        "AMBITION_RELAY_METRICS_PORT": str(free_port()),
    }
    for k, v in env.items():
        monkeypatch_module.setenv(k, v)
    settings = Settings()
    create_topics(broker.bootstrap, load_topics())
    demo_partners(settings)
    platform = LocalPlatform(env, log_dir=base / "log").start()
    try:
        platform.wait_api(f"http://127.0.0.1:{settings.api_port}")
        yield Running(settings, env, platform, broker)
    finally:
        platform.stop()
        broker.stop()


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()
