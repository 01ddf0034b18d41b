"""The ceiling and the stages of the ingest path, in this process, each a median of rounds.

- ceiling: the eventsourcing library alone on the same store (SQLite file, PostgreSQL database):
  new aggregates of one 25-field event, 200 saved per transaction. Nothing the platform does
  can store faster; every other figure is read as a share of it.
- read: ``contracts.inbound.lire`` (bounds, framing, Ed25519, Avro decode, checks, identity
  opened) on signed enrolments.
- decide+store: ``ParcoursApp.traiter_lot`` on pre-read facts, 200 a batch (rules, identity
  encryption, one transaction).
- processor: ``Processor.handle`` on batches of 200 raw messages (read + decide + store +
  receipts + parking), the whole pipeline but the broker.
- SDK: the partner SDK builds and signs enrolments (seal, Avro, Ed25519).
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from uuid import uuid4

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from ambition.config import Settings

from .messages import enrolments

BATCH = 200


class Mesure(Aggregate):
    """25 fields, close to an enrolment's."""

    @event("Created")
    def __init__(self, f01: str, f02: str, f03: str, f04: str, f05: str, f06: int, f07: int,
                 f08: bool, f09: bool, f10: bool, f11: bool, f12: bool, f13: str, f14: str,
                 f15: str, f16: str, f17: str, f18: str, f19: int, f20: int, f21: str, f22: str,
                 f23: str, f24: bool, f25: str) -> None:
        pass


def _champs(i: int) -> dict:
    s = f"valeur-{i:08d}"
    return dict(f01=s, f02="0750001A", f03="BAC_PRO", f04="Commerce", f05="OBTENU", f06=2026,
                f07=i, f08=False, f09=True, f10=True, f11=False, f12=False, f13="2026-09-01",
                f14="2027-01-01", f15="Marie Martin", f16=s, f17=s, f18=s, f19=3, f20=120,
                f21="LYCEE", f22="lycee:0750001A", f23=str(uuid4()), f24=True, f25=s * 2)


class Plafond(Application):
    name = "Plafond"


def plafond(env: dict[str, str], n: int) -> float:
    """Aggregates stored per second by the library alone, ``BATCH`` per transaction."""
    app = Plafond(env=env)
    lots = [[Mesure(**_champs(i)) for i in range(k, min(n, k + BATCH))] for k in range(0, n, BATCH)]
    started = time.perf_counter()
    for lot in lots:
        app.save(*lot)
    elapsed = time.perf_counter() - started
    app.close()
    return n / elapsed


@dataclass
class Etapes:
    store: str
    plafond: float
    lire: float
    decider: float
    processor: float
    parallele: float
    lecteurs: int
    lire_cpu: float = 0.0  # read, per second of this process's CPU (what one free core does)

    def lignes(self) -> list[str]:
        p = self.plafond
        return [f"  {self.store:<10} ceiling (library alone)       {p:>9,.0f}/s",
                f"  {self.store:<10} read (decode, verify, checks) {self.lire:>9,.0f}/s  {self.lire / p:6.0%} of the ceiling"
                f"  ({self.lire_cpu:,.0f} per CPU-second)",
                f"  {self.store:<10} decide + store (traiter_lot)  {self.decider:>9,.0f}/s  {self.decider / p:6.0%} of the ceiling",
                f"  {self.store:<10} Processor.handle (no broker)  {self.processor:>9,.0f}/s  {self.processor / p:6.0%} of the ceiling",
                f"  {self.store:<10}   with {self.lecteurs} reading processes    {self.parallele:>9,.0f}/s  {self.parallele / p:6.0%} of the ceiling"]


def _median(fn, rounds: int) -> float:
    return statistics.median(fn() for _ in range(rounds))


def mesurer(store: str, store_de, n: int, rounds: int, settings: Settings, lot,
            lecteurs: int = 2) -> Etapes:
    """``store_de(round)`` returns the settings of an empty store (its own var_dir and event
    store) for one round; ``settings`` hold the partners who signed ``lot``."""
    from ambition.contracts.codec import Registry
    from ambition.contracts.inbound import lire
    from ambition.contracts.partners import PartnerDirectory
    from ambition.ingest.messages import Incoming
    from ambition.ingest.lecture import LecteurParallele
    from ambition.ingest.processor import Processor
    from ambition.bootstrap import env_du_store, make_app

    # each round reads with a partners directory of its own: a reader keeps the subjects it
    # opened, and a rentrée upload brings each élève's subject once
    registry = Registry.load(settings.schemas_dir)
    topic = settings.topics.lycee
    raw = lot.messages[:n]
    compteur = iter(range(10_000))

    def un_plafond() -> float:
        return plafond(env_du_store(store_de(next(compteur))), n)

    lus = []

    cpu_lecture: list[float] = []

    def une_lecture() -> float:
        lus.clear()
        partners = PartnerDirectory.load(settings)
        started, cpu = time.perf_counter(), time.process_time()
        for _, value, headers in raw:
            lus.append(lire("LYCEE", value, headers, registry, partners))
        cpu_lecture.append(len(raw) / (time.process_time() - cpu))
        return len(raw) / (time.perf_counter() - started)

    def une_decision() -> float:
        from ambition.parcours import Emetteur, Fait

        faits = [Fait(event_id=m.envelope["event_id"], type=m.type,
                      emetteur=Emetteur(type=m.partner_type, identifiant=m.identifiant,
                                        partner_id=m.partner_id),
                      cle=m.cle, time=m.envelope["time"], payload=m.payload, empreinte=m.empreinte)
                 for m in lus]
        app = make_app(store_de(next(compteur)))
        started = time.perf_counter()
        for k in range(0, len(faits), BATCH):
            app.traiter_lot(faits[k:k + BATCH])
        rate = len(faits) / (time.perf_counter() - started)
        app.close()
        return rate

    def un_processor(lecteurs: int = 0) -> float:
        s = store_de(next(compteur))
        app = make_app(s)
        partners = PartnerDirectory.load(settings)
        lecteur = LecteurParallele(settings, registry, partners, lecteurs) if lecteurs else None
        proc = Processor(s, app, registry, partners, lecteur=lecteur)
        batch = [Incoming(topic, 0, k, key, value, headers) for k, (key, value, headers) in enumerate(raw)]
        started = time.perf_counter()
        for k in range(0, len(batch), BATCH):
            proc.handle(batch[k:k + BATCH])
        rate = len(batch) / (time.perf_counter() - started)
        if lecteur is not None:
            lecteur.close()
        app.close()
        return rate

    p = _median(un_plafond, rounds)
    lecture = _median(une_lecture, rounds)
    decision = _median(une_decision, rounds)
    processor = _median(un_processor, rounds)
    avec_pool = _median(lambda: un_processor(lecteurs), rounds)
    p = statistics.median([p, _median(un_plafond, rounds)])  # the ceiling brackets the stages
    return Etapes(store, p, lecture, decision, processor, avec_pool, lecteurs, statistics.median(cpu_lecture))
