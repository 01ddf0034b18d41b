"""From the decisions to what must be written before the offsets are acknowledged.

A batch message is accepted, a duplicate, refused (a document for the rejected topic) or
parked; a parked fact replayed is released, refused, or stays parked. A message retried by an
operator (header ``ambition-retry-of``) also gets its result recorded on the rejected topic.
"""
from __future__ import annotations

import hashlib
from dataclasses import replace

from ambition import metrics, rejets
from ambition.parcours.faits import ACCEPTE, DOUBLON, INCONNU

from . import recus
from .messages import Outcome
from .parking import A_ENVOYER, PARQUE, Attente, encode_headers
from .sequence import Source


class Verdicts:
    """``app`` decides the facts (``traiter_lot``); ``attente`` writes the rows; ``partners``
    say who wants receipts; ``delai`` is the parking delay the ORPHELIN message names."""

    def __init__(self, app, attente: Attente, partners, delai: float):
        self.app, self.attente, self.partners, self.delai = app, attente, partners, delai
        self.outcomes: list = []
        self.rows: list[dict] = []
        self.updates: dict[int, dict] = {}
        self.deletes: list[int] = []
        self.accuses: list[dict] = []  # the receipts, written in the same transaction
        self.parking_changed = False

    def decider(self, sequence: list[Source]) -> None:
        lisibles = [s for s in sequence if s.fait is not None]
        for s in sequence:
            if s.fait is None:
                r = s.rejet
                self.refuser(s, r.code, r.message, r.event_id, r.partner_id, r.garder)
        if not lisibles:
            return
        for s, res in zip(lisibles, self.app.traiter_lot([s.fait for s in lisibles])):
            if res.statut == ACCEPTE:
                self._fini(s, "accepte")
            elif res.statut == DOUBLON:
                self._fini(s, "doublon")
            elif res.statut == INCONNU:
                self._parquer(s)
            else:
                self.refuser(s, res.code or "REFUS", res.message or res.code or "refused",
                             s.fait.event_id, s.fait.emetteur.partner_id)

    def orpheline(self, s: Source) -> None:
        if s.fait is None:
            r = s.rejet
            self.refuser(s, r.code, r.message, r.event_id, r.partner_id)
            return
        self.refuser(s, "ORPHELIN", f"{s.fait.type}: no parcours was enrolled for this key within "
                                    f"{self.delai:g} s", s.fait.event_id, s.fait.emetteur.partner_id)

    def refuser(self, s: Source, code: str, message: str, event_id=None, partner=None,
                garder: bool = True) -> None:
        """``garder`` False: the original bytes and headers are kept nowhere (identity in clear,
        or beyond the bounds: the rejected topic must not carry what the edge refused to read)."""
        inc = s.inc
        if not garder:
            s = replace(s, inc=replace(inc, value=None, headers=[]))
            inc = s.inc
        doc = rejets.document(code, message, topic=inc.topic, partition=inc.partition,
                              offset=inc.offset, original=inc.value, event_id=event_id,
                              partner=partner, key=inc.key, headers=inc.headers,
                              first_seen=s.row.first_seen if s.row is not None else None)
        metrics.REJECTED.labels(code).inc()
        self._retry_compte(inc, "refuse")
        self._accuser(s, "refuse", code, message, event_id, partner)
        if s.row is not None:
            self.updates[s.row.id] = {"etat": A_ENVOYER, "reason": code, "document": doc}
            self._libere("orphelin" if code == "ORPHELIN" else "refuse")
            return
        self.rows.append(self._row(s, A_ENVOYER, _ref(inc), reason=code, document=doc,
                                   event_id=event_id, partner=partner))
        self._outcome(inc, "refuse", code)

    def _fini(self, s: Source, statut: str) -> None:
        self._accuser(s, statut)
        if s.row is not None:
            self.deletes.append(s.row.id)
            self._libere(statut)
        else:
            self._outcome(s.inc, statut)
        self._resultat_retry(s, statut)

    def _parquer(self, s: Source) -> None:
        if s.row is not None:
            return  # still waiting
        self._accuser(s, "parque")
        self.rows.append(self._row(s, PARQUE, _ref(s.inc), event_id=s.fait.event_id,
                                   partner=s.fait.emetteur.partner_id))
        self.parking_changed = True
        self._outcome(s.inc, "parque")
        self._resultat_retry(s, "parque")

    def _accuser(self, s: Source, statut: str, code=None, message=None, event_id=None,
                 partner=None) -> None:
        base = s.row.ref if s.row is not None else _ref(s.inc)
        row = recus.accuse(s, f"{base}:{statut}:{code or ''}", statut, code, message, event_id,
                           partner, self.partners)
        if row is not None:
            self.accuses.append(row)

    def _resultat_retry(self, s: Source, statut: str) -> None:
        retry = rejets.retry_of(s.inc.headers)
        if retry is None:
            return
        inc = s.inc
        doc = rejets.resultat_retry(statut, original=inc.value, headers=inc.headers, topic=inc.topic,
                                    partition=inc.partition, offset=inc.offset)
        self.rows.append(self._row(s, A_ENVOYER, f"retry:{retry[1]}:{statut}:{_ref(inc)}",
                                   reason=f"retry-{statut}", document=doc))
        self._retry_compte(inc, statut)

    @staticmethod
    def _retry_compte(inc, statut: str) -> None:
        if rejets.retry_of(inc.headers) is not None:
            metrics.RETRIED.labels(statut).inc()

    def _libere(self, statut: str) -> None:
        self.parking_changed = True
        metrics.PARKING_RELEASED.labels(statut).inc()

    def _outcome(self, inc, statut: str, reason: str | None = None) -> None:
        self.outcomes.append(Outcome(inc, statut, reason))
        metrics.MESSAGES_CONSUMED.labels(inc.topic, statut).inc()

    @staticmethod
    def _row(s: Source, etat: str, ref: str, **extra) -> dict:
        inc = s.inc
        return {"ref": ref, "etat": etat, "cle": s.cle, "topic": inc.topic,
                "partition": inc.partition, "offset": inc.offset, "kafka_key": inc.key,
                "value": inc.value, "headers": encode_headers(inc.headers), "event_id": None,
                "partner": None, "reason": None, "document": None, **extra}

    def ecrire(self):
        return self.attente.ecrire(self.rows, self.updates, self.deletes, self.accuses)


def _ref(inc) -> str:
    """Where the message was read, and a digest of its bytes: a redelivery has the same ref; a
    broker that forgot its topics (restarted on memory storage) reuses offsets for new messages,
    which keep refs of their own."""
    return f"{inc.topic}:{inc.partition}:{inc.offset}:{hashlib.sha256(inc.value or b'').hexdigest()[:16]}"
