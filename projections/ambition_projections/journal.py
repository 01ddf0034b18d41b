"""The event store's notification log as the domain-event records the views are fed with.

Each stored aggregate event is turned into its Avro domain event by the relay's own
`DomainEventMapper`, encoded and decoded with the registry: the record is the very one a
partner reads from parcours.events. The live worker and `rebuild` both read through here.
"""
from __future__ import annotations

from ambition.outbox import DomainEventMapper


class Journal:
    def __init__(self, app, registry):
        self.app, self.registry = app, registry
        self.mapper = DomainEventMapper(app, registry)

    def lire(self, depuis: int, page: int = 500) -> list[tuple[int, dict]]:
        """(notification id, record) of up to `page` notifications from id `depuis` on.
        Ids only grow in commit order: SQLite has one writer, and the library's PostgreSQL
        recorder locks the table while it inserts; a rolled-back insert leaves a gap, never
        a late arrival."""
        out = []
        for n in self.app.recorder.select_notifications(depuis, page):
            fullname, record = self.mapper.record(self.app.mapper.to_domain_event(n))
            out.append((n.id, self.registry.decode(self.registry.encode(fullname, record)).record))
        return out

    def dernier(self) -> int:
        return self.app.recorder.max_notification_id() or 0
