"""The parcours application wired to its infrastructure, in one place: ``Settings``
(AMBITION_* variables) become the library's own environment variables (event store and its
recorder), and the identity cipher is handed in with its key store. The domain (``ambition.parcours``) knows
neither."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from ambition.config import Settings
from ambition.identite.cles import MEMOIRE, Trousseau
from ambition.identite.coffre import Coffre
from ambition.parcours.app import POPO, ParcoursApp
from ambition.stockage import RECORDERS


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
    """The library environment of the parcours application (see ``make_app``): the store,
    and the recorder of that store that also keeps the encrypted identities."""
    settings = settings or Settings()
    env = {"CALENDRIER": settings.calendrier}
    if not env_overrides.get("PERSISTENCE_MODULE"):
        env.update(env_du_store(settings))
    env.update(env_overrides)
    module = env.get("PERSISTENCE_MODULE", POPO)
    if module in RECORDERS:
        env.setdefault("APPLICATION_RECORDER_TOPIC", RECORDERS[module])
    return env


def make_app(settings: Settings | None = None, cls: type[ParcoursApp] = ParcoursApp,
             **env_overrides: str) -> ParcoursApp:
    """The parcours application configured from the environment; ``env_overrides`` are the
    library's variables (e.g. ``PERSISTENCE_MODULE="eventsourcing.popo"`` for memory);
    ``cls`` a subclass of the application (a test fake)."""
    settings = settings or Settings()
    env = env_app(settings, **env_overrides)
    # the data keys in their own file, whatever the event store; in memory with an
    # in-memory event store
    cles = MEMOIRE if env.get("PERSISTENCE_MODULE", POPO) == POPO else settings.key_store
    return cls(env=env, coffre=Coffre(settings.cipher_key, Trousseau(cles)))
