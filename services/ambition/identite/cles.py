"""The key store: each élève's data key, wrapped by the master key, kept apart from the
encrypted identities (they stay in the event store).

A SQLite file of its own (``AMBITION_KEY_STORE``, by default ``<var_dir>/cles.sqlite``),
whatever the event store is: destroying a key there makes every copy of the élève's
ciphertext unreadable (event store, its backups and replicas, PostgreSQL's dead tuples and
write-ahead log), which is what erasure by crypto-shredding needs. The file keeps no stale
copy of a destroyed key: ``secure_delete`` overwrites the freed bytes with zeros, and the
rollback journal (``journal_mode=DELETE``) lives only during a write, then is removed (no
write-ahead log holding old pages). ``:memory:`` keeps the keys in memory (in-memory event
store, tests).
"""
from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from uuid import UUID

MEMOIRE = ":memory:"


class Trousseau:
    """Wrapped data keys by parcours id; one SQLite connection shared by the threads."""

    def __init__(self, chemin: str | Path) -> None:
        self.chemin = str(chemin)
        self._verrou = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _connexion(self) -> sqlite3.Connection:
        if self._conn is None:
            if self.chemin != MEMOIRE:
                Path(self.chemin).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.chemin, timeout=10, isolation_level=None,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode = DELETE")
            conn.execute("PRAGMA secure_delete = ON")
            conn.execute("PRAGMA synchronous = FULL")  # a key is on disk before its ciphertext
            conn.execute("CREATE TABLE IF NOT EXISTS cles "
                         "(parcours_id TEXT PRIMARY KEY, enveloppe BLOB NOT NULL)")
            self._conn = conn
        return self._conn

    def deposer(self, enveloppes: Mapping[UUID, bytes]) -> dict[UUID, bytes]:
        """Store each élève's wrapped key unless it has one already, and commit; return the
        key each élève has now. An existing key is kept, so a batch retried after a conflict,
        or two processors enrolling one élève at once, encrypt under the same key."""
        if not enveloppes:
            return {}
        with self._verrou:
            c = self._connexion()
            c.execute("BEGIN IMMEDIATE")
            try:
                c.executemany("INSERT INTO cles (parcours_id, enveloppe) VALUES (?, ?) "
                              "ON CONFLICT (parcours_id) DO NOTHING",
                              [(pid.hex, e) for pid, e in enveloppes.items()])
                actuelles = self._lire_plusieurs(c, list(enveloppes))
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return actuelles

    @staticmethod
    def _lire_plusieurs(c: sqlite3.Connection, pids: list[UUID]) -> dict[UUID, bytes]:
        """The keys of these élèves, one query a slice of 500 (not one an élève)."""
        par_hex = {pid.hex: pid for pid in pids}
        actuelles: dict[UUID, bytes] = {}
        for k in range(0, len(pids), 500):
            tranche = [pid.hex for pid in pids[k:k + 500]]
            lignes = c.execute("SELECT parcours_id, enveloppe FROM cles WHERE parcours_id IN "
                               f"({','.join('?' * len(tranche))})", tranche)
            actuelles.update({par_hex[h]: bytes(e) for h, e in lignes})
        return actuelles

    def lire(self, parcours_id: UUID) -> bytes | None:
        with self._verrou:
            row = self._connexion().execute("SELECT enveloppe FROM cles WHERE parcours_id = ?",
                                            (parcours_id.hex,)).fetchone()
        return None if row is None else bytes(row[0])

    def detruire(self, parcours_id: UUID) -> None:
        """Delete the élève's key; its bytes are overwritten in the file (``secure_delete``)."""
        with self._verrou:
            self._connexion().execute("DELETE FROM cles WHERE parcours_id = ?", (parcours_id.hex,))

    def reenvelopper(self, changer: Callable[[bytes], bytes]) -> int:
        """Replace every wrapped key by ``changer(wrapped key)`` in one transaction (all or
        none); the old values are overwritten in place (same size) or zeroed when freed."""
        with self._verrou:
            c = self._connexion()
            c.execute("BEGIN IMMEDIATE")
            try:
                lignes = c.execute("SELECT parcours_id, enveloppe FROM cles").fetchall()
                c.executemany("UPDATE cles SET enveloppe = ? WHERE parcours_id = ?",
                              [(changer(bytes(e)), pid) for pid, e in lignes])
                c.execute("COMMIT")
            except BaseException:
                c.execute("ROLLBACK")
                raise
        return len(lignes)

    def close(self) -> None:
        with self._verrou:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
