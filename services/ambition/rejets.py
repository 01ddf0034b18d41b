"""The rejected topic's documents (JSON): a refusal, or the result of an operator's retry.

A refusal: reason code, explanation, where the message came from (topic, partition, offset),
partner, event id, first-seen time, and the original key, bytes and headers (base64) so that
an operator can retry them. A retried message (header ``ambition-retry-of``) also carries
``retry_of`` (the rejection it retries), ``retry_id`` and ``empreinte`` (sha256 of the value);
when it is not refused again, its result is sent as ``kind: "retry-result"``.
Never holds an INE, a name or a birth date in clear: partners seal them to the platform's key
(docs/vie-privee.md), so ``original`` holds them sealed; a message that carried them in clear
(IDENTITE_EN_CLAIR) is refused with no ``original``.
"""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timezone

RETRY_OF = "ambition-retry-of"  # the rejet_id (vue_refus) a re-submitted message retries
RETRY_ID = "ambition-retry-id"  # one attempt (deduplicates a redelivered retry)
RETRY_HEADERS = (RETRY_OF, RETRY_ID)


def _b64(data: bytes | None) -> str:
    return base64.b64encode(data or b"").decode()


def retry_of(headers) -> tuple[str, str] | None:
    """(rejet_id, retry_id) when the message is an operator's retry, else None."""
    found = {k: v for k, v in headers or [] if k in RETRY_HEADERS}
    if RETRY_OF not in found:
        return None
    return found[RETRY_OF].decode(errors="replace"), found.get(RETRY_ID, b"").decode(errors="replace")


def _retry_fields(original: bytes | None, headers) -> dict:
    retry = retry_of(headers)
    if retry is None:
        return {}
    return {"retry_of": retry[0], "retry_id": retry[1],
            "empreinte": hashlib.sha256(original or b"").hexdigest()}


def document(reason: str, message: str, *, topic: str, partition: int, offset: int,
             original: bytes | None, event_id: str | None = None, partner: str | None = None,
             key: bytes | None = None, headers=None, first_seen: datetime | None = None) -> bytes:
    """The JSON value of a refusal on the rejected topic."""
    return json.dumps({
        "kind": "refus",
        "reason": reason,
        "message": message,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "event_id": event_id,
        "partner": partner,
        "first_seen": (first_seen or datetime.now(timezone.utc)).isoformat(),
        "original": _b64(original),
        "key": _b64(key) if key is not None else None,
        "headers": [[k, _b64(v)] for k, v in headers or [] if k not in RETRY_HEADERS],
        **_retry_fields(original, headers),
    }).encode()


def resultat_retry(outcome: str, *, original: bytes | None, headers, topic: str, partition: int,
                   offset: int) -> bytes:
    """The result of a retried message that was not refused again (accepte, doublon, parque)."""
    return json.dumps({
        "kind": "retry-result", "outcome": outcome, "topic": topic, "partition": partition,
        "offset": offset, "at": datetime.now(timezone.utc).isoformat(),
        **_retry_fields(original, headers),
    }).encode()
