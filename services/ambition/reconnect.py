"""Waiting for a store that does not answer: PostgreSQL restarting, the SQLite file locked.

`unavailable` tells an outage (connection refused or lost, server shutting down, lock timeout)
from any other error; `Outage` waits with a bounded back-off and shows the outage in the
metrics. Callers retry the very same work: nothing is refused, parked or dropped because a
store was away.
"""
from __future__ import annotations

import logging
import sqlite3
import time
from typing import Callable, TypeVar

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence

from . import metrics

log = logging.getLogger(__name__)
T = TypeVar("T")

_OUTAGE_TYPES = (psycopg.OperationalError, psycopg.InterfaceError,
                 persistence.OperationalError, persistence.InterfaceError,
                 sqlalchemy.exc.DisconnectionError, sqlalchemy.exc.InterfaceError)
_SQLITE_OUTAGE = ("database is locked", "database is busy", "unable to open database",
                  "disk i/o error")


def unavailable(exc: BaseException | None) -> bool:
    """True when `exc` (or an error it was raised from) says a store is unreachable or locked."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        if isinstance(exc, _OUTAGE_TYPES):
            return True
        if isinstance(exc, sqlalchemy.exc.OperationalError) and (
                exc.connection_invalidated or unavailable(exc.orig)):
            return True
        if isinstance(exc, sqlite3.OperationalError):
            return any(m in str(exc).lower() for m in _SQLITE_OUTAGE)
        exc = exc.__cause__ or exc.__context__
    return False


class Outage:
    """One store as seen by this process: `wait` after a failed attempt, `ok` after a good one."""

    def __init__(self, store: str, first: float = 0.5, cap: float = 10.0):
        self.store, self.first, self.cap = store, first, cap
        self.since: float | None = None
        self.pause = first

    def wait(self, exc: BaseException) -> float:
        """Record the outage and return how long to wait before the next attempt."""
        now = time.monotonic()
        if self.since is None:
            self.since, self.pause = now, self.first
            metrics.STORE_UNAVAILABLE.labels(self.store).set(1)
            metrics.STORE_OUTAGES.labels(self.store).inc()
            log.warning("%s unavailable (%s): waiting for it", self.store, _short(exc))
        pause, self.pause = self.pause, min(self.pause * 2, self.cap)
        return pause

    def ok(self) -> None:
        if self.since is not None:
            waited = time.monotonic() - self.since
            metrics.STORE_UNAVAILABLE.labels(self.store).set(0)
            metrics.STORE_OUTAGE_SECONDS.labels(self.store).inc(waited)
            log.warning("%s back after %.1f s", self.store, waited)
            self.since = None


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


def retrying(fn: Callable[[], T], outage: Outage, running: Callable[[], bool] = lambda: True) -> T:
    """Call `fn` until it succeeds, waiting while the store is unavailable; other errors raise.
    Raises the last outage error if `running()` turns false while waiting."""
    while True:
        try:
            result = fn()
        except Exception as exc:
            if not unavailable(exc) or not running():
                raise
            time.sleep(outage.wait(exc))
            continue
        outage.ok()
        return result
