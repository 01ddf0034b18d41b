"""The partner's outbox: every event is written to a local SQLite file before it is sent.

``Outbox`` is the file (one row a signed message, exact bytes, in order); ``Drainer`` is the
background thread that sends the rows to Kafka and deletes a row only once the broker has
acknowledged it. A broker outage only grows the backlog; a partner process that restarts on
the same file resends what was not acknowledged, with the same bytes, so the same event_id
(the platform deduplicates on it). Delivery is at least once; effects are exactly once.
"""
from __future__ import annotations

import logging
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

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
CREATE TABLE IF NOT EXISTS outbox_headers (
    seq   INTEGER NOT NULL REFERENCES outbox(seq) ON DELETE CASCADE,
    pos   INTEGER NOT NULL,
    name  TEXT NOT NULL,
    value BLOB NOT NULL,
    PRIMARY KEY (seq, pos)
);
"""


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

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")  # an enqueued event survives a power cut
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)

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

    def peek(self, limit: int = 500) -> list[Message]:
        """The oldest waiting messages, in the order they were put."""
        with self._lock:
            rows = self._db.execute("SELECT seq, event_id, topic, key, value FROM outbox "
                                    "ORDER BY seq LIMIT ?", (limit,)).fetchall()
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

    def pending(self) -> int:
        with self._lock:
            return self._db.execute("SELECT count(*) FROM outbox").fetchone()[0]

    def close(self) -> None:
        with self._lock:
            self._db.close()


class Drainer(threading.Thread):
    """Sends the outbox to Kafka in order, batch by batch, and deletes what the broker acknowledged.

    ``connect`` builds the KafkaProducer; it is called in this thread and retried, so a partner
    system can start (and fill its outbox) while the broker is unreachable. ``on_change`` is
    called with the backlog after each step (the metrics gauge)."""

    def __init__(self, outbox: Outbox, connect: Callable[[], object], *, batch: int = 500,
                 backoff_max: float = 5.0, on_change: Callable[[int], None] = lambda n: None):
        super().__init__(name=f"outbox-drainer:{outbox.path.name}", daemon=True)
        self.outbox, self.connect, self.batch, self.backoff_max = outbox, connect, batch, backoff_max
        self.on_change = on_change
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
                if not isinstance(exc, (KafkaError, OSError)):
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
        """Send one batch and wait for it; returns False when the outbox was empty."""
        messages = self.outbox.peek(self.batch)
        self.on_change(self.outbox.pending())
        if not messages:
            return False
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
        self.outbox.acknowledge(acked)
        self.on_change(self.outbox.pending())
        if error is not None:
            raise error
        return True
