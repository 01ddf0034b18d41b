"""Projection of the rejected topic onto `vue_refus`: every refusal once, with its reason."""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import Connection, select

from .tables import refus as t

NAME = "refus"


def rejet_id(doc: dict) -> str:
    """A refusal's identity: the partner's event id when it could be read, else the message's place."""
    if doc.get("event_id"):
        return f"event:{doc['event_id']}"
    digest = hashlib.sha256(base64.b64decode(doc.get("original") or b"")).hexdigest()[:16]
    return f"msg:{doc.get('topic')}:{doc.get('partition')}:{doc.get('offset')}:{digest}"


def apply(conn: Connection, value: bytes) -> bool:
    doc = json.loads(value)
    rid = rejet_id(doc)
    if conn.execute(select(t.c.rejet_id).where(t.c.rejet_id == rid)).first() is not None:
        return False
    seen = doc.get("first_seen")
    conn.execute(t.insert().values(
        rejet_id=rid, reason=doc["reason"], message=doc.get("message"), topic=doc.get("topic"),
        partition=doc.get("partition"), offset=doc.get("offset"), event_id=doc.get("event_id"),
        partner=doc.get("partner"),
        first_seen=datetime.fromisoformat(seen) if seen else datetime.now(timezone.utc),
        original=base64.b64decode(doc["original"]) if doc.get("original") else None,
    ))
    return True
