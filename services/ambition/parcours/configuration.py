"""From ``Settings`` (AMBITION_* variables) to the library's own environment variables."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ambition.config import Settings
from ambition.parcours.app import ParcoursApp


def env_du_store(settings: Settings) -> dict[str, str]:
    """SQLite file ``<var_dir>/event-store.sqlite`` when ``event_store`` is empty, PostgreSQL
    when it is a ``postgresql://user:password@host:port/dbname`` DSN."""
    dsn = settings.event_store.strip()
    if not dsn:
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(settings.var_dir / "event-store.sqlite"),
                "SQLITE_LOCK_TIMEOUT": "10"}
    url = urlsplit(dsn)
    if url.scheme not in ("postgresql", "postgres"):
        raise ValueError(f"AMBITION_EVENT_STORE must be empty (SQLite) or a postgresql:// DSN, "
                         f"got scheme {url.scheme!r}")
    return {"PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": unquote(url.path.lstrip("/")) or "ambition",
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or "postgres"),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            # a pooled connection broken by a server restart is replaced, not handed out; a
            # connection waited for 2 s at most (the library retries 10 times, then the worker
            # waits for the store with its own back-off and shows the outage in its metrics)
            "POSTGRES_PRE_PING": "y", "POSTGRES_CONNECT_TIMEOUT": "2"}


def env_app(settings: Settings | None = None, **env_overrides: str) -> dict[str, str]:
    """The library environment of the parcours application (see ``make_app``)."""
    settings = settings or Settings()
    env = {"IDENTITE_CIPHER_KEY": settings.cipher_key, "CALENDRIER": settings.calendrier}
    if not env_overrides.get("PERSISTENCE_MODULE"):
        env.update(env_du_store(settings))
    env.update(env_overrides)
    return env


def make_app(settings: Settings | None = None, **env_overrides: str) -> ParcoursApp:
    """The parcours application configured from the environment; ``env_overrides`` are the
    library's variables (e.g. ``PERSISTENCE_MODULE="eventsourcing.popo"`` for memory)."""
    return ParcoursApp(env=env_app(settings, **env_overrides))
