"""In-memory recorder (tests, property tests): identities in a dict beside the events."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.popo import POPOApplicationRecorder


class POPOIdentitesRecorder(POPOApplicationRecorder):
    def __init__(self) -> None:
        super().__init__()
        self._identites: dict[UUID, bytes] = {}

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        with self._database_lock:
            ids = super().insert_events(stored_events, **kwargs)
            self._identites.update(kwargs.get("identites") or {})
        return ids

    def lire_identite(self, parcours_id: UUID) -> bytes | None:
        return self._identites.get(parcours_id)

    def oublier_identite(self, parcours_id: UUID) -> None:
        self._identites.pop(parcours_id, None)
