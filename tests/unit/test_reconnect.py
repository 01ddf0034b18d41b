"""Telling a store outage from any other error, and waiting for it with a bounded back-off."""
from __future__ import annotations

import sqlite3

import psycopg
import pytest
import sqlalchemy.exc
from eventsourcing import persistence

from ambition import metrics
from ambition.reconnect import Outage, retrying, unavailable


def _raised_from(outer: type[Exception], inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as e:
            raise outer("wrapped") from e
    except Exception as e:
        return e


@pytest.mark.parametrize("exc", [
    psycopg.OperationalError("connection refused"),
    psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    persistence.OperationalError("server closed the connection unexpectedly"),
    sqlite3.OperationalError("database is locked"),
    sqlalchemy.exc.OperationalError("SELECT 1", {}, sqlite3.OperationalError("database is locked")),
    _raised_from(RuntimeError, psycopg.OperationalError("connection refused")),
])
def test_an_unreachable_or_locked_store_is_an_outage(exc):
    assert unavailable(exc)


@pytest.mark.parametrize("exc", [
    ValueError("bad value"),
    sqlite3.OperationalError("no such table: vue_refus"),
    psycopg.errors.UniqueViolation("duplicate key"),
    KeyError("x"),
])
def test_a_bug_or_a_bad_value_is_not_an_outage(exc):
    assert not unavailable(exc)


def test_retrying_waits_through_an_outage_then_shows_it_ended(monkeypatch):
    pauses = []
    monkeypatch.setattr("ambition.reconnect.time.sleep", pauses.append)
    calls = iter([psycopg.OperationalError("down")] * 5 + ["done"])

    def work():
        r = next(calls)
        if isinstance(r, Exception):
            raise r
        return r

    outage = Outage("essai", first=0.5, cap=4)
    assert retrying(work, outage) == "done"
    assert pauses == [0.5, 1, 2, 4, 4]
    assert metrics.STORE_UNAVAILABLE.labels("essai")._value.get() == 0
    assert metrics.STORE_OUTAGES.labels("essai")._value.get() == 1


def test_retrying_raises_other_errors_at_once():
    with pytest.raises(ValueError):
        retrying(lambda: int("x"), Outage("essai2"))
