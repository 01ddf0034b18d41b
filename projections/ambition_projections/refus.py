"""Projection of the rejected topic onto `vue_refus`: every refusal once, with its reason,
its origin (partner, topic, partition, offset), its first-seen time and its original key,
bytes and headers; and onto `vue_refus_essais`: the result of each operator's retry.

A document with ``retry_of`` is the result of a retry (refused again, or ``kind:
retry-result``): it is recorded against the rejection it retries, never counted as a new
refusal, and only if its bytes are those of that rejection (the retry headers are not signed).
"""
from __future__ import annotations

import base64
import hashlib
import json
import logging
from datetime import datetime, timezone

from sqlalchemy import (Column, Connection, DateTime, String, Table, distinct, func, inspect, select,
                        text, update)

from .tables import metadata
from .tables import refus as t

log = logging.getLogger(__name__)
NAME = "refus"

essais = Table(
    "vue_refus_essais", metadata,
    Column("essai_id", String(200), primary_key=True),  # retry id + outcome
    Column("rejet_id", String(200), nullable=False, index=True),
    Column("retry_id", String(64)),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("resultat", String(80), nullable=False),
    Column("message", String(2000)),
    Column("topic", String(200)),
    Column("partition", String(20)),
    Column("offset", String(20)),
)

_ADDED = {"kafka_key": "BLOB", "headers": "TEXT", "essais": "INTEGER NOT NULL DEFAULT 0",
          "dernier_resultat": "VARCHAR(80)", "dernier_essai": "TIMESTAMP"}
_migrated: set[str] = set()


def migrer(conn: Connection) -> None:
    """Add the columns of issue #6 to a vue_refus created before them (once per database)."""
    url = str(conn.engine.url)
    if url in _migrated:
        return
    cols = {c["name"] for c in inspect(conn).get_columns(t.name)}
    for name, ddl in _ADDED.items():
        if name not in cols:
            if conn.dialect.name == "postgresql":
                ddl = ddl.replace("BLOB", "BYTEA").replace("TIMESTAMP", "TIMESTAMP WITH TIME ZONE")
            conn.execute(text(f'ALTER TABLE {t.name} ADD COLUMN {name} {ddl}'))
    essais.create(conn, checkfirst=True)
    _migrated.add(url)


def rejet_id(doc: dict) -> str:
    """A refusal's identity. The reading edge names an event id only once the sender's signature
    is verified, so (verified partner, event id) is the fact: the same event redelivered, or
    resent later with a new envelope time (a partner retry, a CSV re-import), is one refusal,
    and nobody else can claim that id. An unread or unsigned message is identified by its
    place and bytes."""
    if doc.get("event_id") and doc.get("partner"):
        return f"event:{doc['partner']}:{doc['event_id']}"
    digest = hashlib.sha256(base64.b64decode(doc.get("original") or b"")).hexdigest()[:16]
    return f"msg:{doc.get('topic')}:{doc.get('partition')}:{doc.get('offset')}:{digest}"


def _when(value: str | None) -> datetime:
    return datetime.fromisoformat(value) if value else datetime.now(timezone.utc)


def apply(conn: Connection, value: bytes) -> bool:
    migrer(conn)
    try:
        doc = json.loads(value)
    except ValueError:
        log.error("undecodable document on the rejected topic (%d bytes): skipped", len(value or b""))
        return False
    if doc.get("retry_of") and _essai(conn, doc):
        return True
    if doc.get("kind") == "retry-result":
        return False  # its rejection is unknown here (or the bytes differ): nothing to record
    rid = rejet_id(doc)
    if conn.execute(select(t.c.rejet_id).where(t.c.rejet_id == rid)).first() is not None:
        return False
    conn.execute(t.insert().values(
        rejet_id=rid, reason=doc["reason"], message=doc.get("message"), topic=doc.get("topic"),
        partition=doc.get("partition"), offset=doc.get("offset"), event_id=doc.get("event_id"),
        partner=doc.get("partner"), first_seen=_when(doc.get("first_seen")),
        original=base64.b64decode(doc["original"]) if doc.get("original") else None,
        kafka_key=base64.b64decode(doc["key"]) if doc.get("key") is not None else None,
        headers=json.dumps(doc.get("headers") or []), essais=0,
    ))
    return True


def _essai(conn: Connection, doc: dict) -> bool:
    """Record a retry's result against its rejection; False if that rejection is not this one."""
    row = conn.execute(select(t.c.original).where(t.c.rejet_id == doc["retry_of"])).first()
    if row is None or hashlib.sha256(row.original or b"").hexdigest() != doc.get("empreinte"):
        log.warning("a retry names rejection %s but does not match it: not recorded as its retry",
                    doc["retry_of"])
        return False
    resultat = doc["outcome"] if doc.get("kind") == "retry-result" else f"refuse:{doc['reason']}"
    essai_id = f"{doc.get('retry_id')}:{resultat}"
    if conn.execute(select(essais.c.essai_id).where(essais.c.essai_id == essai_id)).first():
        return True  # a redelivery
    at = _when(doc.get("at") or None) if doc.get("kind") == "retry-result" else datetime.now(timezone.utc)
    conn.execute(essais.insert().values(
        essai_id=essai_id, rejet_id=doc["retry_of"], retry_id=doc.get("retry_id"), at=at, resultat=resultat,
        message=doc.get("message"), topic=doc.get("topic"), partition=str(doc.get("partition")),
        offset=str(doc.get("offset"))))
    n = conn.execute(select(func.count(distinct(essais.c.retry_id)))
                     .where(essais.c.rejet_id == doc["retry_of"])).scalar_one()
    conn.execute(update(t).where(t.c.rejet_id == doc["retry_of"]).values(
        essais=n, dernier_resultat=resultat, dernier_essai=at))
    return True
