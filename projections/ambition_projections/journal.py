"""The event store's notification log as the domain-event records the views are fed with.

Each stored aggregate event is turned into its Avro domain event by the relay's own
`DomainEventMapper`, encoded and decoded with the registry: the record is the very one a
partner reads from parcours.events. The live worker and `rebuild` both read through here.
"""
from __future__ import annotations

from ambition.outbox import DomainEventMapper


class Journal:
    def __init__(self, app, registry, avro: bool = True):
        """``avro``: each record goes through the registry's encoding and decoding, as a
        partner reads it; False skips that round trip (a rebuild: the mapper's record is
        already what the decoding gives, which the tests check for every event type)."""
        self.app, self.registry, self.avro = app, registry, avro
        self.mapper = DomainEventMapper(app, registry)

    def lire(self, depuis: int, page: int = 500) -> list[tuple[int, dict]]:
        """(notification id, record) of up to `page` notifications from id `depuis` on.
        Ids only grow in commit order: SQLite has one writer, and the library's PostgreSQL
        recorder locks the table while it inserts; a rolled-back insert leaves a gap, never
        a late arrival."""
        out = []
        vers_evenement, vers_record = self.app.mapper.to_domain_event, self.mapper.record
        registry = self.registry
        for n in self.app.recorder.select_notifications(depuis, page):
            fullname, record = vers_record(vers_evenement(n))
            if self.avro:
                record = registry.decode(registry.encode(fullname, record)).record
            out.append((n.id, record))
        return out

    def dernier(self) -> int:
        return self.app.recorder.max_notification_id() or 0
