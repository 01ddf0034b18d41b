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

    def select_events_de(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The events of several aggregates, each aggregate's in version order."""
        return [e for i in originator_ids for e in self.select_events(i)]

    def lire_identite(self, parcours_id: UUID) -> bytes | None:
        return self._identites.get(parcours_id)

    def oublier_identite(self, parcours_id: UUID) -> None:
        self._identites.pop(parcours_id, None)
