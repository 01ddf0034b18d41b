"""The platform's worker processes on this machine: started, watched and stopped together.

Used by `ambition up`, by the end-to-end tests and by the benchmarks, so that all three run the
very same processes.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

WORKERS = ("ingest", "relay", "projections", "api")


class LocalPlatform:
    def __init__(self, env: dict[str, str] | None = None, workers=WORKERS, log_dir: Path | None = None,
                 own_session: bool = False):
        self.env = dict(os.environ, **(env or {}))
        self.workers = tuple(workers)
        self.log_dir = log_dir
        # own_session: the workers do not get the terminal's Ctrl-C; whoever started them stops
        # them (the supervisor of `ambition up`, in order, broker last)
        self.own_session = own_session
        self.children: dict[str, subprocess.Popen] = {}
        # another instance of a worker: its name -> (the command it runs, its own settings)
        self.instances: dict[str, tuple[str, dict[str, str]]] = {}

    def add_instance(self, name: str, command: str, **env: str) -> subprocess.Popen:
        """Start one more process of the worker ``command`` under ``name`` (e.g. a second
        ``ingest`` in the same consumer group), with its own settings (its metrics port);
        ``start_worker(name)`` restarts it the same way."""
        self.instances[name] = (command, env)
        return self.start_worker(name)

    def start_worker(self, name: str) -> subprocess.Popen:
        out = None
        if self.log_dir:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            out = open(self.log_dir / f"{name}.log", "ab")
        command, env = self.instances.get(name, (name, {}))
        child = subprocess.Popen([sys.executable, "-m", "ambition.cli", command], env={**self.env, **env},
                                 stdout=out, stderr=subprocess.STDOUT if out else None,
                                 start_new_session=self.own_session)
        self.children[name] = child
        return child

    def start(self) -> "LocalPlatform":
        for name in self.workers:
            self.start_worker(name)
        return self

    def dead(self) -> list[str]:
        return [n for n, c in self.children.items() if c.poll() is not None]

    def wait_api(self, base_url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.dead():
                raise RuntimeError(f"worker(s) exited: {self.dead()}")
            try:
                with urllib.request.urlopen(f"{base_url}/health", timeout=2) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise TimeoutError(f"the API did not answer at {base_url} within {timeout}s")

    def kill(self, name: str) -> None:
        """SIGKILL one worker (crash tests)."""
        child = self.children[name]
        child.kill()
        child.wait()

    def stop_worker(self, name: str, timeout: float = 15) -> None:
        """SIGTERM one worker and wait for it (SIGKILL after `timeout`)."""
        child = self.children[name]
        if child.poll() is None:
            child.terminate()
            try:
                child.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()

    def stop(self, timeout: float = 15) -> None:
        for child in self.children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + timeout
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
