"""The ingestion's durable waiting room, in the event store's database.

Two kinds of rows, both written BEFORE the Kafka offsets of their messages are acknowledged:

- ``PARQUE``: a partner message about a parcours not known yet (statut INCONNU), kept with its
  original key, bytes and headers until the missing fact arrives (it is then replayed) or the
  parking delay passes (it is then refused ``ORPHELIN``);
- ``A_ENVOYER``: a document for the rejected topic not yet acknowledged by the broker (a
  refusal, or the recorded result of an operator's retry). Deleted once sent.

So a crash, a cancelled agent or a broker away never loses a refusal: the sweep sends what is
left. ``ref`` makes every write idempotent (a redelivered message writes nothing new).
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Column, DateTime, Integer, LargeBinary, MetaData, String, Table, delete,
                        func, select, update)
from sqlalchemy.dialects import postgresql, sqlite

from ambition.accuses import registre
from ambition.config import Settings
from ambition.sqlstore import VERROU_CREATION, make_engine, sqlalchemy_url

PARQUE, A_ENVOYER = "PARQUE", "A_ENVOYER"

_meta = MetaData()
attente = Table(
    "ingest_attente", _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),  # arrival order
    Column("ref", String(300), nullable=False, unique=True),
    Column("etat", String(12), nullable=False, index=True),
    Column("cle", String(64), index=True),  # pseudonymous parcours key (never the INE)
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("kafka_key", LargeBinary),
    Column("value", LargeBinary),
    Column("headers", String),  # JSON [[name, base64 value], ...]
    Column("event_id", String(64)),
    Column("partner", String(100)),
    Column("first_seen", DateTime(timezone=True), nullable=False),
    Column("reason", String(60)),  # A_ENVOYER: the reason code (or the retry outcome)
    Column("document", LargeBinary),  # A_ENVOYER: the rejected topic's value
)


def encode_headers(headers) -> str:
    return json.dumps([[k, base64.b64encode(v or b"").decode()] for k, v in headers or []])


def decode_headers(text: str | None) -> list[tuple[str, bytes]]:
    return [(k, base64.b64decode(v)) for k, v in json.loads(text or "[]")]


@dataclass(frozen=True)
class Envoi:
    """A document to send to the rejected topic; ``row_id`` is deleted once it is acknowledged."""
    row_id: int
    key: bytes | None
    document: bytes
    reason: str


class Attente:
    def __init__(self, settings: Settings, engine=None):
        self.engine = engine or make_engine(sqlalchemy_url(settings.event_store,
                                                           settings.var_dir / "event-store.sqlite"))
        with self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(select(func.pg_advisory_xact_lock(VERROU_CREATION)))
            _meta.create_all(conn)
            registre.creer(conn)

    def _insert(self):
        dialect = self.engine.dialect.name
        ins = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(attente)
        return ins.on_conflict_do_nothing(index_elements=["ref"])

    def ecrire(self, rows: list[dict], updates: dict[int, dict], deletes: list[int],
               accuses: list[dict] = ()) -> list[Envoi]:
        """One transaction: new rows (ignored if their ref exists), changed and released rows,
        and the receipts of the decisions. Returns every document waiting to be sent among the
        rows touched."""
        if not (rows or updates or deletes or accuses):
            return []
        now = datetime.now(timezone.utc)
        with self.engine.begin() as conn:
            registre.inserer(conn, list(accuses))
            if rows:
                conn.execute(self._insert(), [{"first_seen": now, **r} for r in rows])
            for row_id, values in updates.items():
                conn.execute(update(attente).where(attente.c.id == row_id).values(**values))
            if deletes:
                conn.execute(delete(attente).where(attente.c.id.in_(deletes)))
            refs = [r["ref"] for r in rows if r["etat"] == A_ENVOYER]
            ids = [i for i, v in updates.items() if v.get("etat") == A_ENVOYER]
            if not (refs or ids):  # a batch without refusals has nothing to send
                return []
            q = select(attente).where(attente.c.etat == A_ENVOYER).where(
                attente.c.ref.in_(refs) | attente.c.id.in_(ids)).order_by(attente.c.id)
            return [Envoi(r.id, r.kafka_key, r.document, r.reason) for r in conn.execute(q)]

    def parques(self, cles=None, limit: int = 1000) -> list:
        q = select(attente).where(attente.c.etat == PARQUE).order_by(attente.c.id).limit(limit)
        if cles is not None:
            q = q.where(attente.c.cle.in_(list(cles)))
        with self.engine.connect() as conn:
            return list(conn.execute(q))

    def cles_parquees(self, limit: int = 1000) -> list[str]:
        q = (select(attente.c.cle).where(attente.c.etat == PARQUE).group_by(attente.c.cle)
             .order_by(func.min(attente.c.id)).limit(limit))
        with self.engine.connect() as conn:
            return [r.cle for r in conn.execute(q)]

    def a_envoyer(self, limit: int = 1000) -> list[Envoi]:
        q = select(attente).where(attente.c.etat == A_ENVOYER).order_by(attente.c.id).limit(limit)
        with self.engine.connect() as conn:
            return [Envoi(r.id, r.kafka_key, r.document, r.reason) for r in conn.execute(q)]

    def liberer(self, ids: list[int]) -> None:
        if ids:
            with self.engine.begin() as conn:
                conn.execute(delete(attente).where(attente.c.id.in_(ids)))

    def compte(self, etat: str = PARQUE) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(attente)
                                .where(attente.c.etat == etat)).scalar_one()
