"""Integration fixtures: a fresh PostgreSQL database per test (the server must be up)."""
from __future__ import annotations

import os
import uuid

import psycopg
import pytest

PG_HOST = os.environ.get("AMBITION_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("AMBITION_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("AMBITION_TEST_PG_USER", "postgres")


@pytest.fixture
def postgres_dsn():
    """DSN of a new, uniquely named database, dropped afterwards. Fails (never skips) when
    PostgreSQL cannot be reached: start it with
    ``pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start``."""
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres connect_timeout=5"
    nom = f"ambition_test_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{nom}"')
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL unreachable at {PG_HOST}:{PG_PORT} as {PG_USER}: {exc}. Start it "
                    "with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start")
    yield f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{nom}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')
