"""A domain event a view cannot apply is parked here, with its reason, and the view goes on.

One bad event (a value too long for a column written before the reading edge bounded it, a
bug in a projection) must never stop the views: the worker applies the batch again event by
event (a savepoint each), parks the event that fails for that projection, counts it
(``ambition_projection_errors_total``, alert ``AmbitionProjectionErrors``) and advances. The
reason names the error's class and the database's first line, never the values (no personal
data). After a fix, ``ambition rebuild`` replays every event, the parked ones included.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from sqlalchemy import Column, Connection, DateTime, Integer, String, Table, insert

from ambition import metrics

from .tables import metadata

log = logging.getLogger(__name__)

erreurs = Table(
    "projection_erreurs", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("projection", String(40), nullable=False, index=True),
    Column("parcours_id", String(36), nullable=False),
    Column("version", Integer, nullable=False),
    Column("type", String(60), nullable=False),
    Column("raison", String(300), nullable=False),
)


def raison(exc: BaseException) -> str:
    """The error's class and the driver's first line (e.g. psycopg's "value too long for type
    character varying(200)"), never the statement's parameters."""
    orig = getattr(exc, "orig", None) or exc
    premiere = (str(orig).strip().splitlines() or [""])[0]
    return f"{type(orig).__name__}: {premiere}"[:300]


def garer(conn: Connection, projection: str, type_: str, meta: dict, exc: BaseException) -> None:
    pid, version = str(meta["parcours_id"]), int(meta["version"])
    conn.execute(insert(erreurs).values(at=datetime.now(timezone.utc), projection=projection,
                                        parcours_id=pid, version=version, type=type_, raison=raison(exc)))
    metrics.PROJECTION_ERRORS.labels(projection).inc()
    log.error("projection %s parked %s v%s of parcours %s: %s", projection, type_, version, pid, raison(exc))
