"""The ingestion's own message types: a record read from a partner topic, what was decided
for it, and what a batch leaves to send. Shared by the processor and its verdicts."""
from __future__ import annotations

from dataclasses import dataclass, field

from .parking import Envoi


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Outcome:
    incoming: Incoming
    statut: str  # accepte | doublon | refuse | parque
    reason: str | None = None


@dataclass
class Lot:
    outcomes: list[Outcome] = field(default_factory=list)
    envois: list[Envoi] = field(default_factory=list)
