"""The rejected topic's message: reason code, explanation, where it came from, original bytes."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timezone


def document(reason: str, message: str, *, topic: str, partition: int, offset: int,
             original: bytes | None, event_id: str | None = None, partner: str | None = None) -> bytes:
    """The JSON value sent to the rejected topic. Never holds an INE, a name or a birth date
    outside `original` (the partner's own bytes, kept so that an operator can retry them)."""
    return json.dumps({
        "reason": reason,
        "message": message,
        "topic": topic,
        "partition": partition,
        "offset": offset,
        "event_id": event_id,
        "partner": partner,
        "first_seen": datetime.now(timezone.utc).isoformat(),
        "original": base64.b64encode(original or b"").decode(),
    }).encode()
