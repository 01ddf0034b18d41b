"""The partner's outbox: every event is written to a local SQLite file before it is sent.

``Outbox`` is the file (one row a signed message, exact bytes, in order); ``Drainer`` is the
background thread that sends the rows to Kafka. A broker outage only grows the backlog; a
partner process that restarts on the same file resends what was not settled, with the same
bytes, so the same event_id (the platform deduplicates on it). Delivery is at least once;
effects are exactly once.

Two ways to settle a row:
- end to end (when the drainer is given the platform's receipts, ``recus``): a row sent and
  acknowledged by the broker stays in the file until the platform's receipt for its event id
  says it was decided (``accepte``, ``doublon``, ``parque``, ``refuse``); the verdict is written
  on the row (a ``parque`` is replaced by the final verdict when it comes). A row sent and not
  decided after ``renvoi_apres`` seconds is sent again: a broker that forgot it (restarted on
  memory storage, an unclean leader election) then costs time, nothing else;
- broker only (no receipts): a row is deleted once the broker acknowledged it.

A row with a final verdict (``accepte``, ``doublon``, ``refuse``) is kept ``garder`` seconds
(30 days by default) after it was written, so that a CSV import or the partner can still ask
what became of it, then deleted (when the file is opened, then at most once an hour): the file
does not grow without end. Sending the same event again after that is harmless: the platform
answers ``doublon``.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

import httpx
from kafka.errors import KafkaError

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id TEXT UNIQUE,            -- NULL for raw messages without ce_id
    topic    TEXT NOT NULL,
    key      BLOB,
    value    BLOB,
    created  REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox_recus (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL        -- the last receipt read (GET /v1/partenaires/moi/accuses)
);
CREATE TABLE IF NOT EXISTS outbox_headers (
    seq   INTEGER NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE,
    pos   INTEGER NOT NULL,
    name  TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (seq, pos)
);
"""


# A later receipt replaces an earlier verdict unless it says less: a fact parked then accepted
# ends accepted; the duplicate receipt of a resend does not hide the first verdict.
RANG = {"parque": 0, "doublon": 1, "accepte": 2, "refuse": 2}
FINALS = ("accepte", "doublon", "refuse")
GARDER = 30 * 86400.0  # seconds a decided row is kept


@dataclass(frozen=True)
class Message:
    seq: int
    event_id: str | None
    topic: str
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


class Outbox:
    """A durable FIFO of signed messages in one SQLite file (WAL, synchronous=FULL)."""

    def __init__(self, path: str | Path, *, garder: float = GARDER):
        self.path = Path(path)
        self.garder = garder
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an enqueued event survives a power cut
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)
        columns = {r[1] for r in self._db.execute("PRAGMA table_info(outbox)")}
        for name, kind in (("envoye", "REAL"), ("verdict", "TEXT"), ("code", "TEXT")):
            if name not in columns:  # a file written by an earlier SDK
                self._db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {kind}")
        self._purge_le = 0.0
        self.purger()

    def purger(self, maintenant: float | None = None) -> int:
        """Delete the rows decided for good and written more than ``garder`` seconds before
        ``maintenant``; returns how many. Rows waiting, in flight or parked stay."""
        maintenant = time.time() if maintenant is None else maintenant
        with self._lock:
            cur = self._db.execute(
                f"DELETE FROM outbox WHERE verdict IN ({', '.join('?' * len(FINALS))}) AND created < ?",
                (*FINALS, maintenant - self.garder))
        self._purge_le = time.time()
        return cur.rowcount

    def put(self, items: Iterable[tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]]) -> int:
        """Append (topic, key, value, headers) messages in one transaction; returns how many were
        added. A message whose ce_id is already waiting is not added twice."""
        added = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for topic, key, value, headers in items:
                    event_id = next((v.decode() for n, v in headers if n == "ce_id"), None)
                    cur = self._db.execute(
                        "INSERT OR IGNORE INTO outbox (event_id, topic, key, value, created) "
                        "VALUES (?, ?, ?, ?, ?)", (event_id, topic, key, value, time.time()))
                    if cur.rowcount:
                        added += 1
                        self._db.executemany(
                            "INSERT INTO outbox_headers (seq, pos, name, value) VALUES (?, ?, ?, ?)",
                            [(cur.lastrowid, i, n, v) for i, (n, v) in enumerate(headers)])
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return added

    def peek(self, limit: int = 500, renvoi_avant: float | None = None) -> list[Message]:
        """The oldest messages to send, in the order they were put: never sent, or sent before
        ``renvoi_avant`` (a time.time()) and still not decided."""
        with self._lock:
            rows = self._db.execute(
                "SELECT seq, event_id, topic, key, value FROM outbox WHERE verdict IS NULL "
                "AND (envoye IS NULL OR envoye < ?) ORDER BY seq LIMIT ?",
                (-1.0 if renvoi_avant is None else renvoi_avant, limit)).fetchall()
            if not rows:
                return []
            headers: dict[int, list] = {r[0]: [] for r in rows}
            for seq, name, value in self._db.execute(
                    "SELECT seq, name, value FROM outbox_headers WHERE seq BETWEEN ? AND ? "
                    "ORDER BY seq, pos", (rows[0][0], rows[-1][0])):
                if seq in headers:
                    headers[seq].append((name, bytes(value)))
        return [Message(seq, eid, topic, None if key is None else bytes(key),
                        None if value is None else bytes(value), headers[seq])
                for seq, eid, topic, key, value in rows]

    def acknowledge(self, seqs: Iterable[int]) -> None:
        """The broker has these: forget them."""
        seqs = list(seqs)
        if not seqs:
            return
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("DELETE FROM outbox WHERE seq = ?", [(s,) for s in seqs])
            self._db.execute("COMMIT")

    def envoyes(self, seqs: Iterable[int]) -> None:
        """The broker has these; they stay until the platform's receipt."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("UPDATE outbox SET envoye = ? WHERE seq = ?", [(now, s) for s in seqs])
            self._db.execute("COMMIT")

    def decider(self, recus: list[dict], position: int) -> int:
        """Write the verdicts of ``recus`` (the platform's receipts) on their rows and the
        receipts' ``position``, in one transaction; returns how many rows got a verdict."""
        decided = 0
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                for r in recus:
                    if not r.get("event_id") or r.get("statut") not in RANG:
                        continue
                    row = self._db.execute("SELECT verdict FROM outbox WHERE event_id = ?",
                                           (r["event_id"],)).fetchone()
                    if row is None or RANG.get(row[0], -1) > RANG[r["statut"]]:
                        continue
                    decided += row[0] is None
                    self._db.execute("UPDATE outbox SET verdict = ?, code = ? WHERE event_id = ?",
                                     (r["statut"], r.get("code"), r["event_id"]))
                self._db.execute("INSERT INTO outbox_recus (name, position) VALUES ('accuses', ?) "
                                 "ON CONFLICT(name) DO UPDATE SET position = excluded.position",
                                 (position,))
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        if time.time() - self._purge_le > 3600:
            self.purger()
        return decided

    def position(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT position FROM outbox_recus WHERE name = 'accuses'").fetchone()
        return row[0] if row else 0

    def verdicts(self) -> dict[str, tuple[str | None, str | None]]:
        """event_id -> (verdict, reason code) of every event in the file (verdict None: not decided)."""
        with self._lock:
            return {e: (v, c) for e, v, c in self._db.execute(
                "SELECT event_id, verdict, code FROM outbox WHERE event_id IS NOT NULL")}

    def pending(self) -> int:
        """Events not settled yet: not acknowledged, or (end to end) not decided by the platform."""
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox WHERE verdict IS NULL").fetchone()[0]

    def en_vol(self) -> int:
        """Events sent and acknowledged by the broker, waiting for the platform's receipt."""
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox WHERE verdict IS NULL "
                                    "AND envoye IS NOT NULL").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Drainer(threading.Thread):
    """Sends the outbox to Kafka in order, batch by batch, and deletes what the broker acknowledged.

    ``connect`` builds the KafkaProducer; it is called in this thread and retried, so a partner
    system can start (and fill its outbox) while the broker is unreachable. ``on_change`` is
    called with the backlog after each step (the metrics gauge)."""

    def __init__(self, outbox: Outbox, connect: Callable[[], object], *, batch: int = 500,
                 backoff_max: float = 5.0, on_change: Callable[[int], None] = lambda n: None,
                 recus: Callable[[int], list[dict]] | None = None, renvoi_apres: float = 60.0):
        """``recus(depuis)``: the platform's receipts after a position (end-to-end mode);
        ``renvoi_apres``: seconds after which a sent event still undecided is sent again."""
        super().__init__(name=f"outbox-drainer:{outbox.path.name}", daemon=True)
        self.outbox, self.connect, self.batch, self.backoff_max = outbox, connect, batch, backoff_max
        self.on_change = on_change
        self.recus, self.renvoi_apres = recus, renvoi_apres
        self._lu = 0.0  # when the receipts were last read
        self.producer = None
        self.last_error: str | None = None
        self._wake = threading.Event()
        self._stopping = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    def run(self) -> None:
        backoff = 0.2
        while not self._stopping.is_set():
            try:
                progressed = self.step()
                backoff = 0.2
            except Exception as exc:  # noqa: BLE001 - the thread must outlive any failure
                self.last_error = f"{type(exc).__name__}: {exc}"
                if not isinstance(exc, (KafkaError, OSError, httpx.HTTPError)):
                    log.exception("partner outbox %s: unexpected error", self.outbox.path.name)
                log.warning("partner outbox %s: %s; %d event(s) kept, retrying in %.1fs",
                            self.outbox.path.name, self.last_error, self.outbox.pending(), backoff)
                self._stopping.wait(backoff)
                backoff = min(self.backoff_max, backoff * 2)
                continue
            if not progressed:
                self._wake.wait(0.5)
                self._wake.clear()

    def step(self) -> bool:
        """Read the receipts (end to end), send one batch and wait for it; returns False when
        there was nothing to do."""
        decided = self.lire_recus()
        renvoi = None if self.recus is None else time.time() - self.renvoi_apres
        messages = self.outbox.peek(self.batch, renvoi)
        self.on_change(self.outbox.pending())
        if not messages:
            return decided > 0
        if self.producer is None:
            self.producer = self.connect()
        futures = [(m.seq, self.producer.send(m.topic, key=m.key, value=m.value, headers=m.headers))
                   for m in messages]
        acked, error = [], None
        for seq, future in futures:
            while not self._stopping.is_set():
                try:
                    future.get(timeout=0.5)
                    acked.append(seq)
                    break
                except KafkaError as exc:
                    if future.is_done:  # refused or expired: keep the row, send it again later
                        error = error or exc
                        break
            if self._stopping.is_set():
                break
        if self.recus is None:
            self.outbox.acknowledge(acked)
        else:
            self.outbox.envoyes(acked)
        self.on_change(self.outbox.pending())
        if error is not None:
            raise error
        return True

    def lire_recus(self, every: float = 0.5) -> int:
        """End to end: read the new receipts (at most every ``every`` s, and only while events
        wait for theirs) and write their verdicts; returns how many events were decided."""
        if self.recus is None or time.monotonic() - self._lu < every or not self.outbox.en_vol():
            return 0
        self._lu = time.monotonic()
        decided, position = 0, self.outbox.position()
        while True:
            recus = self.recus(position)
            if not recus:
                return decided
            position = max(r["position"] for r in recus)
            decided += self.outbox.decider(recus, position)
