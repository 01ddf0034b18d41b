"""A PRIVATE PostgreSQL cluster for tests that need a real database outage.

The shared server on 127.0.0.1:5432 is never stopped (other tests use it). A test that needs
PostgreSQL to go away starts its own cluster: ``initdb`` into a temporary directory, a free
port, then ``stop()`` / ``start()`` that one. Run as root, the server commands run as the
``postgres`` user (PostgreSQL refuses to run as root).

    with ClusterPrive() as pg:                 # or the ``pg_prive`` fixture
        dsn = pg.nouvelle_base()
        ...
        pg.stop()                               # a real outage: connections fail
        pg.start()                              # same data, same port
"""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest


def _bin() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(p.split("/")[4]))
    if not found:
        pytest.fail("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin "
                    "(Debian package postgresql)")
    return Path(found[-1]).parent


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ClusterPrive:
    def __init__(self):
        self.bin = _bin()
        self.port = _port_libre()
        self.base = Path(tempfile.mkdtemp(prefix="ambition-pg-"))
        self.data, self.log = self.base / "data", self.base / "postgres.log"
        self._root = os.geteuid() == 0
        if self._root:
            shutil.chown(self.base, "postgres", "postgres")
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                  "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        cmd = [str(self.bin / tool), *args]
        if self._root:
            cmd = ["runuser", "-u", "postgres", "--", *cmd]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed: {done.stderr.strip()}\n{log}")

    def start(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off", "start")

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "-t", "60", "stop")

    def dsn(self, base: str = "postgres") -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{base}"

    def nouvelle_base(self) -> str:
        import psycopg

        nom = f"ambition_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{nom}"')
        return self.dsn(nom)

    def close(self) -> None:
        try:
            self.stop()
        except RuntimeError:
            pass  # already stopped
        shutil.rmtree(self.base, ignore_errors=True)

    def __enter__(self) -> "ClusterPrive":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@pytest.fixture
def pg_prive():
    """A private PostgreSQL cluster, started; the test may stop and start it."""
    with ClusterPrive() as pg:
        yield pg
