"""The event store's notification log as the domain-event records the views are fed with.

Each stored aggregate event is turned into its Avro domain event by the relay's own
`DomainEventMapper`: the record a partner reads from parcours.events. The live worker and
`rebuild` both read through here, without encoding and decoding each record with the registry
(``avro=False``): a test checks that the round trip gives the same records, types included,
for every event type.
"""
from __future__ import annotations

from typing import Iterator
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.rows import tuple_row
from psycopg.sql import SQL, Identifier

from ambition.decodage import Decodeur
from ambition.outbox import DomainEventMapper


class Journal:
    def __init__(self, app, registry, avro: bool = True):
        """``avro``: each record goes through the registry's encoding and decoding, as a
        partner reads it; False skips that round trip (a rebuild: the mapper's record is
        already what the decoding gives, which the tests check for every event type)."""
        self.app, self.registry, self.avro = app, registry, avro
        self.mapper = DomainEventMapper(app, registry)
        self.decodeur = Decodeur(app.mapper)  # the library's events, the state parsed by orjson

    def lire(self, depuis: int, page: int = 500) -> list[tuple[int, dict]]:
        """(notification id, record) of up to `page` notifications from id `depuis` on.
        Ids only grow in commit order: SQLite has one writer, and the library's PostgreSQL
        recorder locks the table while it inserts; a rolled-back insert leaves a gap, never
        a late arrival."""
        out = []
        vers_evenement, vers_record = self.decodeur, self.mapper.record
        registry = self.registry
        for n in self.app.recorder.select_notifications(depuis, page):
            fullname, record = vers_record(vers_evenement(n))
            if self.avro:
                record = registry.decode(registry.encode(fullname, record)).record
            out.append((n.id, record))
        return out

    def par_parcours(self, jusqu_a: int, page: int = 10_000, de: UUID | None = None,
                     a: UUID | None = None) -> Iterator[list[dict]] | None:
        """The records of notifications 1 to `jusqu_a`, each parcours's events together and in
        version order (parcours after parcours), in pages of about `page` events that never
        split a parcours: what a view of each parcours needs, since no view folds one parcours
        with another. Read by key ranges (the store's primary key, parcours id then version),
        so neither side holds the whole log. `de` and `a`: only the parcours whose id is in
        [de, a) (PostgreSQL; a share of a parallel rebuild). None when the store cannot (in
        memory)."""
        recorder = self.app.recorder
        if isinstance(recorder, PostgresApplicationRecorder):
            sql = SQL("SELECT originator_id, originator_version, topic, state FROM {}.{} "
                      "WHERE notification_id <= %s AND (originator_id, originator_version) > (%s, %s) "
                      + ("AND originator_id < %s " if a else "") +
                      "ORDER BY originator_id, originator_version LIMIT %s").format(
                Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name))
            fin = [str(a)] if a else []

            def lire(apres: tuple, n: int) -> list:
                with recorder.datastore.get_connection() as conn, conn.cursor(row_factory=tuple_row) as cur:
                    cur.execute(sql, [jusqu_a, *apres, *fin, n], prepare=True)
                    return [(pid, version, topic, bytes(state)) for pid, version, topic, state in cur.fetchall()]
            # from (de, version 0): every version of the parcours `de` itself is read
            debut = (str(de or "00000000-0000-0000-0000-000000000000"), 0)
        elif isinstance(recorder, SQLiteApplicationRecorder) and de is None and a is None:
            sql = (f"SELECT originator_id, originator_version, topic, state FROM "
                   f"{recorder.events_table_name} WHERE rowid <= ? AND (originator_id, originator_version) "
                   f"> (?, ?) ORDER BY originator_id, originator_version LIMIT ?")

            def lire(apres: tuple, n: int) -> list:
                with recorder.datastore.transaction(commit=False) as c:
                    pid = apres[0].hex if isinstance(apres[0], UUID) else apres[0]  # as stored
                    c.execute(sql, [jusqu_a, pid, apres[1], n])
                    return [(recorder.convert_originator_id(r["originator_id"]), r["originator_version"],
                             r["topic"], r["state"]) for r in c.fetchall()]
            debut = ("", 0)
        else:
            return None
        return self._par_parcours(lire, debut, page)

    def _par_parcours(self, lire, apres: tuple, page: int) -> Iterator[list[dict]]:
        vers_evenement, vers_record = self.decodeur, self.mapper.record
        registry, n = self.registry, page
        while True:
            rows = lire(apres, n)
            if not rows:
                return
            if len(rows) == n:  # the last parcours may go on: left for the next page
                dernier = rows[-1][0]
                entiers = [r for r in rows if r[0] != dernier]
                if not entiers:  # one parcours longer than the page: read it whole
                    n *= 2
                    continue
                rows, n = entiers, page
            out = []
            for pid, version, topic, state in rows:
                fullname, record = vers_record(vers_evenement(StoredEvent(pid, version, topic, state)))
                if self.avro:
                    record = registry.decode(registry.encode(fullname, record)).record
                out.append(record)
            apres = rows[-1][:2]
            yield out

    def dernier(self) -> int:
        return self.app.recorder.max_notification_id() or 0
