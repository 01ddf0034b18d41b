"""SQLite recorder: an ``<events table>_identites`` table written in the events' transaction."""
from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor


class SQLiteIdentitesRecorder(SQLiteApplicationRecorder):
    @property
    def table_identites(self) -> str:
        return f"{self.events_table_name}_identites"

    def construct_create_table_statements(self) -> list[str]:
        return [*super().construct_create_table_statements(),
                f"CREATE TABLE IF NOT EXISTS {self.table_identites} "
                "(parcours_id TEXT PRIMARY KEY, donnees BLOB NOT NULL)"]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        identites = kwargs.get("identites") or {}
        if identites:
            c.executemany(f"INSERT INTO {self.table_identites} (parcours_id, donnees) VALUES (?, ?) "
                          "ON CONFLICT (parcours_id) DO UPDATE SET donnees = excluded.donnees",
                          [(parcours_id.hex, donnees) for parcours_id, donnees in identites.items()])
        return ids

    def select_events_de(self, originator_ids: Sequence[UUID]) -> list[StoredEvent]:
        """The events of several aggregates in one query, each aggregate's in version order."""
        if not originator_ids:
            return []
        marks = ",".join("?" * len(originator_ids))
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT originator_id, originator_version, topic, state FROM "
                      f"{self.events_table_name} WHERE originator_id IN ({marks}) "
                      "ORDER BY originator_id, originator_version",
                      [i.hex for i in originator_ids])
            return [StoredEvent(originator_id=self.convert_originator_id(row["originator_id"]),
                                originator_version=row["originator_version"], topic=row["topic"],
                                state=row["state"]) for row in c.fetchall()]

    def lire_identite(self, parcours_id: UUID) -> bytes | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT donnees FROM {self.table_identites} WHERE parcours_id = ?",
                      (parcours_id.hex,))
            row = c.fetchone()
        return None if row is None else bytes(row["donnees"])

    def oublier_identite(self, parcours_id: UUID) -> None:
        """Delete the record (its data key is destroyed in the key store first), its freed
        bytes overwritten with zeros."""
        with self.datastore.transaction(commit=True) as c:
            c.execute("PRAGMA secure_delete = ON")
            c.execute(f"DELETE FROM {self.table_identites} WHERE parcours_id = ?",
                      (parcours_id.hex,))
        pool = self.datastore.pool
        if not pool.is_sqlite_memory_mode:
            import sqlite3  # the write-ahead log still holds the page as written: fold and empty it

            with contextlib.closing(sqlite3.connect(pool.db_name, timeout=10)) as conn:
                conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
