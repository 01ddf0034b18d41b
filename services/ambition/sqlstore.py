"""SQLAlchemy engines for the read side (SQLite file by default, PostgreSQL when configured)."""
from __future__ import annotations

from sqlalchemy import Engine, create_engine, event

from .config import Settings

#: PostgreSQL advisory lock held (for its transaction) while a process creates its tables:
#: processes starting together on a new database (several processors, the relay, the API)
#: would otherwise race to create the same ones, and all but one fail on a unique violation
#: in the catalogue. The first creates them while the others wait, then find them there.
VERROU_CREATION = 0x616D62_6174


def sqlalchemy_url(dsn: str, default_sqlite) -> str:
    if not dsn:
        default_sqlite.parent.mkdir(parents=True, exist_ok=True)
        return f"sqlite:///{default_sqlite}"
    if dsn.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + dsn.split("://", 1)[1]
    return dsn


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):  # WAL: the API reads while the worker writes
            cur = dbapi_connection.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_pre_ping=True)


def read_engine(settings: Settings) -> Engine:
    return make_engine(sqlalchemy_url(settings.read_store, settings.var_dir / "read-models.sqlite"))
