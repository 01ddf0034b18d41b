"""PostgreSQL recorder: an ``<events table>_identites`` table written in the events'
transaction (the library calls ``_insert_events`` inside it, before inserting the events).

It holds ciphertext only: a deleted row stays in the heap until ``VACUUM`` and in the
write-ahead log, which is why the data keys live in the key store, never here."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from ambition.sqlstore import VERROU_CREATION


class PostgresIdentitesRecorder(PostgresApplicationRecorder):
    def __init__(self, datastore: PostgresDatastore, *,
                 events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        if datastore.enable_db_functions:  # that path never calls _insert_events
            raise ValueError("POSTGRES_ENABLE_DB_FUNCTIONS must stay off: identities are "
                             "written in the events' transaction by _insert_events")
        table = f"{events_table_name}_identites"
        self.check_identifier_length(table)
        self._table = (Identifier(datastore.schema), Identifier(table))
        self.sql_create_statements.append(SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (parcours_id uuid PRIMARY KEY, donnees bytea NOT NULL)"
        ).format(*self._table))

    def create_table(self) -> None:
        # the library creates its types and tables in transactions of its own: this one holds
        # the creation lock (see sqlstore) around all of them, one process at a time
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT pg_advisory_xact_lock(%s)"), (VERROU_CREATION,))
            super().create_table()

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        super()._insert_events(curs, stored_events, **kwargs)
        identites = kwargs.get("identites") or {}
        if identites:  # one executemany (psycopg pipelines it), not a round trip an élève
            curs.executemany(SQL("INSERT INTO {}.{} (parcours_id, donnees) VALUES (%s, %s) "
                                 "ON CONFLICT (parcours_id) DO UPDATE SET donnees = EXCLUDED.donnees"
                                 ).format(*self._table), list(identites.items()))

    def select_events_de(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The events of several aggregates in one query, each aggregate's in version order."""
        if not originator_ids:
            return []
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT originator_id, originator_version, topic, state FROM {}.{} "
                             "WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version"
                             ).format(Identifier(self.datastore.schema),
                                      Identifier(self.events_table_name)),
                         (list(originator_ids),))
            return [StoredEvent(originator_id=row["originator_id"],
                                originator_version=row["originator_version"], topic=row["topic"],
                                state=bytes(row["state"])) for row in curs.fetchall()]

    def lire_identite(self, parcours_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT donnees FROM {}.{} WHERE parcours_id = %s").format(
                *self._table), (parcours_id,))
            row = curs.fetchone()
        return None if row is None else bytes(row["donnees"])

    def oublier_identite(self, parcours_id: UUID) -> None:
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("DELETE FROM {}.{} WHERE parcours_id = %s").format(*self._table),
                         (parcours_id,))
