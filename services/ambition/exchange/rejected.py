"""The rejected messages as the operator sees them (vue_refus, vue_refus_essais), and a retry.

A retry re-publishes the original key, bytes and headers to the original partner topic, with
``ambition-retry-of`` (the rejection retried) and ``ambition-retry-id`` (this attempt) added.
The processor decides it like any message; the aggregate deduplicates by event id, so a retry
sent twice has one effect. Its result comes back through the rejected topic (see
``ambition.rejets``) and is recorded by the projection in ``vue_refus_essais``.
"""
from __future__ import annotations

import base64
import json
import time
import uuid

from sqlalchemy import Engine, select

from ambition.config import Settings
from ambition.rejets import RETRY_HEADERS, RETRY_ID, RETRY_OF
from ambition_projections import refus
from ambition_projections.runner import create_tables
from ambition_projections.tables import refus as t


class Introuvable(LookupError):
    """No rejection, or more than one, matches the id given."""


def preparer(engine: Engine) -> None:
    create_tables(engine)
    with engine.begin() as conn:
        refus.migrer(conn)


def lister(engine: Engine, *, reason=None, partner=None, topic=None, pending=False, limit=50) -> list:
    q = select(t).order_by(t.c.first_seen.desc(), t.c.rejet_id).limit(limit)
    if reason:
        q = q.where(t.c.reason == reason)
    if partner:
        q = q.where(t.c.partner == partner)
    if topic:
        q = q.where(t.c.topic == topic)
    if pending:
        q = q.where(t.c.dernier_resultat.is_(None) | t.c.dernier_resultat.like("refuse:%"))
    with engine.connect() as conn:
        return list(conn.execute(q))


def trouver(engine: Engine, rejet_id: str):
    """The rejection with this id, or the only one whose id starts with it."""
    with engine.connect() as conn:
        row = conn.execute(select(t).where(t.c.rejet_id == rejet_id)).first()
        if row is not None:
            return row
        rows = list(conn.execute(select(t).where(t.c.rejet_id.startswith(rejet_id, autoescape=True)).limit(2)))
    if len(rows) != 1:
        raise Introuvable(f"{'no' if not rows else 'more than one'} rejection matches {rejet_id!r}: "
                          "see `ambition rejected list`")
    return rows[0]


def essais(engine: Engine, rejet_id: str) -> list:
    with engine.connect() as conn:
        return list(conn.execute(select(refus.essais).where(refus.essais.c.rejet_id == rejet_id)
                                 .order_by(refus.essais.c.at)))


def headers_de(row) -> list[tuple[str, bytes]]:
    return [(k, base64.b64decode(v)) for k, v in json.loads(row.headers or "[]")]


def retry(settings: Settings, row, producer) -> str:
    """Re-publish one rejection's original message; returns the attempt's id."""
    partenaires = set(settings.topics.partenaires.values())
    if row.topic not in partenaires:
        raise ValueError(f"{row.rejet_id} came from {row.topic!r}, not a partner topic: cannot retry")
    if row.original is None:
        raise ValueError(f"{row.rejet_id} has no original bytes: cannot retry")
    retry_id = str(uuid.uuid4())
    headers = [(k, v) for k, v in headers_de(row) if k not in RETRY_HEADERS]
    headers += [(RETRY_OF, row.rejet_id.encode()), (RETRY_ID, retry_id.encode())]
    producer.send(row.topic, key=row.kafka_key, value=row.original, headers=headers).get(timeout=30)
    return retry_id


def attendre(engine: Engine, rejet_id: str, retry_id: str, timeout: float) -> str | None:
    """The recorded result of one attempt (waiting up to ``timeout`` s), or None."""
    deadline = time.monotonic() + timeout
    while True:
        for e in essais(engine, rejet_id):
            if e.retry_id == retry_id and e.resultat != "parque":
                return e.resultat
        if time.monotonic() >= deadline:
            found = [e.resultat for e in essais(engine, rejet_id) if e.retry_id == retry_id]
            return found[-1] if found else None
        time.sleep(0.3)
