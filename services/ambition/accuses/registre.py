"""The receipts (accusés de réception): what became of each partner message, for its partner only.

One row a decision, written by the ingestion in the same transaction as the parking and the
refusals (``ingest.parking.Attente.ecrire``), before the Kafka offsets are acknowledged: a
message the platform decided always has its receipt. Statuses: ``accepte``, ``doublon``,
``parque`` (waiting for its parcours: a later receipt gives the final verdict) and ``refuse``
(with the reason code and a human message). A receipt never holds personal data: the partner's
event id, the event type, the reason and where the message was read, nothing of its content.

``position`` orders a partner's receipts (resume with ``depuis``); ``ref`` makes every write
idempotent (a redelivered message writes nothing new). ``publie`` marks the receipts already on
the receipts topic. A receipt is kept ``AMBITION_ACCUSES_RETENTION_DAYS`` days (``purger``, on
each parking sweep), then deleted once published; positions are never reused.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import (Boolean, Column, DateTime, Integer, MetaData, String, Table, delete,
                        select, update)
from sqlalchemy.dialects import postgresql, sqlite

ACCEPTE, DOUBLON, PARQUE, REFUSE = "accepte", "doublon", "parque", "refuse"
STATUTS = (ACCEPTE, DOUBLON, PARQUE, REFUSE)

_meta = MetaData()
accuses = Table(
    "accuses", _meta,
    Column("position", Integer, primary_key=True, autoincrement=True),
    Column("ref", String(400), nullable=False, unique=True),
    Column("partenaire", String(100), nullable=False, index=True),
    Column("event_id", String(64)),
    Column("type", String(200)),
    Column("statut", String(12), nullable=False),
    Column("code", String(60)),
    Column("message", String(1000)),
    Column("authentifie", Boolean, nullable=False),  # the signature was checked
    Column("topic", String(200), nullable=False),
    Column("partition", Integer, nullable=False),
    Column("offset", Integer, nullable=False),
    Column("decide_le", DateTime(timezone=True), nullable=False, index=True),
    Column("publie", Boolean, nullable=False, default=False, index=True),
)


@dataclass(frozen=True)
class Accuse:
    position: int
    partenaire: str
    event_id: str | None
    type: str | None
    statut: str
    code: str | None
    message: str | None
    authentifie: bool
    topic: str
    partition: int
    offset: int
    decide_le: datetime

    def document(self) -> dict:
        """The receipt as the API and the receipts topic show it (JSON)."""
        return {"position": self.position, "partenaire": self.partenaire, "event_id": self.event_id,
                "type": self.type, "statut": self.statut, "code": self.code, "message": self.message,
                "authentifie": self.authentifie, "topic": self.topic, "partition": self.partition,
                "offset": self.offset, "decide_le": _aware(self.decide_le).isoformat()}


def creer(engine) -> None:
    _meta.create_all(engine)


def ligne(ref: str, partenaire: str, statut: str, inc, *, event_id=None, type_=None, code=None,
          message=None, authentifie: bool = True) -> dict:
    """A receipt row for ``inserer``; ``inc`` is where the message was read (topic, partition, offset)."""
    assert statut in STATUTS, statut
    return {"ref": ref, "partenaire": partenaire, "event_id": event_id, "type": type_,
            "statut": statut, "code": code, "message": (message or None) and message[:1000],
            "authentifie": authentifie, "topic": inc.topic, "partition": inc.partition,
            "offset": inc.offset}


def inserer(conn, rows: list[dict]) -> None:
    """Insert in the caller's transaction; a row whose ref exists is ignored."""
    if not rows:
        return
    ins = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(accuses)
    now = datetime.now(timezone.utc)
    conn.execute(ins.on_conflict_do_nothing(index_elements=["ref"]),
                 [{"decide_le": now, "publie": False, **r} for r in rows])


def _accuse(r) -> Accuse:
    return Accuse(r.position, r.partenaire, r.event_id, r.type, r.statut, r.code, r.message,
                  r.authentifie, r.topic, r.partition, r.offset, r.decide_le)


def lire(engine, partenaire: str, depuis: int = 0, limite: int = 500) -> list[Accuse]:
    """The partner's receipts after position ``depuis``, oldest first."""
    q = (select(accuses).where(accuses.c.partenaire == partenaire)
         .where(accuses.c.position > depuis).order_by(accuses.c.position).limit(limite))
    with engine.connect() as conn:
        return [_accuse(r) for r in conn.execute(q)]


def a_publier(engine, limite: int = 1000) -> list[Accuse]:
    q = select(accuses).where(accuses.c.publie.is_(False)).order_by(accuses.c.position).limit(limite)
    with engine.connect() as conn:
        return [_accuse(r) for r in conn.execute(q)]


def marquer_publies(engine, positions: list[int]) -> None:
    if positions:
        with engine.begin() as conn:
            conn.execute(update(accuses).where(accuses.c.position.in_(positions)).values(publie=True))


def purger(engine, avant: datetime) -> int:
    """Delete the published receipts decided before ``avant``; returns how many. A receipt not
    yet on the receipts topic stays until it is."""
    with engine.begin() as conn:
        return conn.execute(delete(accuses).where(accuses.c.decide_le < avant)
                            .where(accuses.c.publie.is_(True))).rowcount


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
