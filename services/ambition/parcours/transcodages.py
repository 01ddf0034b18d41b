"""How calendar dates travel in stored events (ISO text)."""
from __future__ import annotations

from datetime import date

from eventsourcing.persistence import Transcoding


class DateEnISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)
