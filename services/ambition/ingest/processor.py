"""What the ingestion agent does with one batch of partner messages, free of Faust.

read (framing, signature, identifiers) -> decide and store (the parcours application, one
transaction a batch, off the event loop) -> a list of outcomes; refusals carry the document
for the rejected topic.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from ambition import metrics, rejets
from ambition.config import Settings
from ambition.contracts.inbound import Rejet, lire
from ambition.parcours import Emetteur, Fait

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Incoming:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    headers: list[tuple[str, bytes]]


@dataclass(frozen=True)
class Outcome:
    incoming: Incoming
    statut: str  # accepte | doublon | refuse
    reason: str | None = None
    rejet: bytes | None = None  # the rejected-topic document when refused


class Processor:
    def __init__(self, settings: Settings, app, registry, partners):
        self.settings, self.app, self.registry, self.partners = settings, app, registry, partners
        self.partner_type_of = {topic: ptype for ptype, topic in settings.topics.partenaires.items()}

    def _refuse(self, inc: Incoming, code: str, message: str, event_id=None, partner=None) -> Outcome:
        doc = rejets.document(code, message, topic=inc.topic, partition=inc.partition,
                              offset=inc.offset, original=inc.value, event_id=event_id, partner=partner)
        return Outcome(inc, "refuse", code, doc)

    def handle(self, batch: list[Incoming]) -> list[Outcome]:
        """Decide a batch; blocking (store I/O): call it from an executor, not the event loop."""
        outcomes: list[Outcome | None] = [None] * len(batch)
        faits, places = [], []
        for i, inc in enumerate(batch):
            try:
                msg = lire(self.partner_type_of[inc.topic], inc.value, inc.headers,
                           self.registry, self.partners)
            except Rejet as r:
                outcomes[i] = self._refuse(inc, r.code, r.message, r.event_id, r.partner_id)
                continue
            emetteur = Emetteur(type=msg.partner_type, identifiant=msg.identifiant,
                                partner_id=msg.partner_id)
            faits.append(Fait(event_id=msg.envelope["event_id"], type=msg.type, emetteur=emetteur,
                              cle=msg.envelope["subject"], time=msg.envelope["time"],
                              payload=msg.payload, empreinte=msg.empreinte))
            places.append(i)
        if faits:
            for i, fait, res in zip(places, faits, self.app.traiter_lot(faits)):
                inc = batch[i]
                if res.statut == "ACCEPTE":
                    outcomes[i] = Outcome(inc, "accepte")
                elif res.statut == "DOUBLON":
                    outcomes[i] = Outcome(inc, "doublon")
                elif res.statut == "INCONNU":
                    outcomes[i] = self._refuse(
                        inc, "ORPHELIN", f"{fait.type}: no parcours is known for this key",
                        fait.event_id, fait.emetteur.partner_id)
                else:
                    outcomes[i] = self._refuse(inc, res.code or "REFUS", res.message or res.code,
                                               fait.event_id, fait.emetteur.partner_id)
        for out in outcomes:
            metrics.MESSAGES_CONSUMED.labels(out.incoming.topic, out.statut).inc()
            if out.reason:
                metrics.REJECTED.labels(out.reason).inc()
        return outcomes  # type: ignore[return-value]
