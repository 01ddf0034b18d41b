"""A partner's feed, read from the event store's notification log (the source of truth).

Each stored event becomes the domain event the relay publishes on ``parcours.events`` (same
mapper, same Avro record) and is kept when the reader serves its parcours, as the event itself
says: the lycée of enrolment (``parcours.uai``), the mission locale of the accueil
(``parcours.mission_locale``, from the accueil on), the Foquale/MLDS network of the lycée's
académie (its code is the territory, ``ambition_projections.territoires``).

Positions are the notification ids: an answer covers the notifications after ``depuis`` up to
its ``position`` (at most ``balayage`` of them), whether or not any concerned the reader, so a
partner resumes from ``position`` and never misses nor repeats an event. A fresh mapper reads
each answer, so an event's metadata is what it was at that event, never what came later.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from ambition.outbox import DomainEventMapper

from .acteurs import sert

def _json(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json(v) for v in value]
    return value


def lire(app, registry, acteur: str, depuis: int = 0, limite: int = 200,
         balayage: int = 2000) -> tuple[list[dict], int]:
    """(events, position): the reader's events among the notifications after ``depuis``."""
    mapper = DomainEventMapper(app, registry)
    items, position = [], depuis
    for n in app.recorder.select_notifications(depuis + 1, balayage):
        fullname, record = mapper.record(app.mapper.to_domain_event(n))
        position = n.id
        if sert(acteur, record["parcours"]):
            items.append({"position": n.id, "type": fullname, **_json(record)})
            if len(items) >= limite:
                break
    return items, position
