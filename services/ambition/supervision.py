"""Supervision of the platform's processes by `ambition up`: a worker (or the embedded broker)
that exits is restarted after a back-off, and one that keeps exiting is reported.

Back-off: 1 s after an exit, doubled at each exit that follows a short run (under a minute),
up to `restart_backoff_max`; a run of a minute or more resets it. A process that exited
`crashloop_exits` times within `crashloop_window` seconds is *crash-looping*: it is still
restarted (a database or broker back may cure it), the others keep running, and the state is
shown in the log, in `ambition_worker_crashloop` and in the state file (`Settings.supervisor_state`,
JSON) that `ambition status` reads.
"""
from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

from . import metrics

log = logging.getLogger(__name__)
HEALTHY_RUN = 60.0  # seconds of running after which the back-off starts again from 1 s


@dataclass
class Supervised:
    """One process under supervision: how to start it, its pid, its exits."""

    name: str
    start: Callable[[], int]  # starts the process, returns its pid
    poll: Callable[[], int | None]  # its exit code, None while it runs
    pid: int | None = None
    started: float = 0.0
    restarts: int = 0
    exits: list[float] = field(default_factory=list)
    last_exit_code: int | None = None
    last_exit_at: str | None = None
    backoff: float = 0.0
    restart_at: float | None = None
    held: bool = False  # stopped on purpose until `release` (its broker is being restarted)


class Supervisor:
    def __init__(self, state_file: Path, backoff_max: float = 30.0, crashloop_exits: int = 3,
                 crashloop_window: float = 300.0, on_restart: Callable[[str], None] | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 notify: Callable[[str], None] | None = None,
                 on_exit: Callable[[str], None] | None = None):
        self.state_file, self.backoff_max = state_file, backoff_max
        self.crashloop_exits, self.crashloop_window = crashloop_exits, crashloop_window
        self.on_restart = on_restart or (lambda name: None)
        self.on_exit = on_exit or (lambda name: None)
        self.processes: dict[str, Supervised] = {}
        self.clock = clock
        self.notify = notify or log.warning  # restarts and exits: what the operator must see

    def add(self, name: str, start: Callable[[], int], poll: Callable[[], int | None]) -> None:
        p = self.processes[name] = Supervised(name, start, poll)
        self._start(p)

    def _start(self, p: Supervised) -> bool:
        p.started = self.clock()
        try:
            p.pid, p.restart_at = p.start(), None
        except Exception as exc:  # could not even start (a port taken): an exit like another
            self.notify(f"{p.name} could not be started: {exc}")
            self._exited(p, -1, self.clock())
            return False
        metrics.WORKER_UP.labels(p.name).set(1)
        return True

    def hold(self, name: str, stop: Callable[[], None]) -> None:
        """Stop a process on purpose (`stop` returns once it exited); not restarted until
        `release`, and not counted as an exit."""
        p = self.processes[name]
        p.held, p.restart_at = True, None
        stop()
        metrics.WORKER_UP.labels(name).set(0)

    def release(self, name: str) -> None:
        p = self.processes[name]
        if p.held:
            p.held = False
            self._start(p)

    def crashlooping(self, p: Supervised, now: float | None = None) -> bool:
        now = self.clock() if now is None else now
        return sum(1 for t in p.exits if now - t <= self.crashloop_window) >= self.crashloop_exits

    def tick(self) -> None:
        """Notice exits, restart what is due; write the state file."""
        now = self.clock()
        for p in self.processes.values():
            if p.held:
                continue
            if p.restart_at is None and (code := p.poll()) is not None:
                self._exited(p, code, now)
                self.on_exit(p.name)
            elif p.restart_at is not None and now >= p.restart_at:
                p.restarts += 1
                metrics.WORKER_RESTARTS.labels(p.name).inc()
                self.notify(f"restarting {p.name} (restart {p.restarts})")
                if self._start(p):
                    self.on_restart(p.name)
            metrics.WORKER_CRASHLOOP.labels(p.name).set(1 if self.crashlooping(p, now) else 0)
        self.write_state()

    def _exited(self, p: Supervised, code: int, now: float) -> None:
        ran = now - p.started
        p.exits = [t for t in p.exits if now - t <= self.crashloop_window] + [now]
        p.last_exit_code, p.last_exit_at = code, datetime.now(timezone.utc).isoformat()
        p.backoff = 1.0 if ran >= HEALTHY_RUN or not p.backoff else min(p.backoff * 2, self.backoff_max)
        p.restart_at = now + p.backoff
        metrics.WORKER_UP.labels(p.name).set(0)
        loop = f" (crash-looping: {len(p.exits)} exits within {self.crashloop_window:.0f} s)" \
            if self.crashlooping(p, now) else ""
        self.notify(f"{p.name} exited with code {code} after {ran:.1f} s; "
                    f"restarting it in {p.backoff:.0f} s{loop}")

    def state(self) -> dict:
        now = self.clock()
        return {
            "supervisor_pid": os.getpid(),
            "updated": datetime.now(timezone.utc).isoformat(),
            "workers": {
                p.name: {
                    "state": "crashloop" if self.crashlooping(p, now)
                    else ("waiting" if p.restart_at is not None or p.held else "running"),
                    "pid": p.pid if p.restart_at is None and not p.held else None,
                    "restarts": p.restarts,
                    "recent_exits": sum(1 for t in p.exits if now - t <= self.crashloop_window),
                    "last_exit_code": p.last_exit_code,
                    "last_exit_at": p.last_exit_at,
                    "next_restart_in": round(max(0.0, p.restart_at - now), 1)
                    if p.restart_at is not None else None,
                }
                for p in self.processes.values()
            },
        }

    def write_state(self, stopped: bool = False) -> None:
        state = self.state()
        if stopped:
            state["stopped"] = True
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(state, indent=2))
        tmp.replace(self.state_file)
