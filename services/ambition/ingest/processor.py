"""What the ingestion agent does with one batch of partner messages, free of Faust.

read (framing, signature, identifiers) -> order (a fact waiting for its parcours goes right
after the enrolment that creates it) -> decide and store (the parcours application, one
transaction a batch) -> park the facts of unknown parcours and write the refusals durably
(``parking.Attente``), all before the agent acknowledges the offsets. The agent then sends
the returned ``Envoi`` documents to the rejected topic and releases them.
"""
from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta, timezone

from ambition import metrics
from ambition.config import Settings
from ambition.contracts.inbound import MessageLu, Rejet
from ambition.parcours import Emetteur, Fait
from ambition.reconnect import unavailable

from .lecture import Lecteur
from .messages import Incoming, Lot
from .parking import PARQUE, Attente, Envoi, decode_headers
from .sequence import Source, ordonner
from .verdicts import Verdicts

log = logging.getLogger(__name__)
POISON_AFTER = 3


class Processor:
    def __init__(self, settings: Settings, app, registry, partners, attente: Attente | None = None,
                 delai: float | None = None, horloge=None, lecteur: Lecteur | None = None):
        self.settings, self.app, self.registry, self.partners = settings, app, registry, partners
        self.lecteur = lecteur or Lecteur(settings, registry, partners)
        self.attente = attente or Attente(settings)
        self.delai = settings.parking_delay if delai is None else delai
        self.horloge = horloge or (lambda: datetime.now(timezone.utc))
        self.partner_type_of = {topic: ptype for ptype, topic in settings.topics.partenaires.items()}
        self._echecs: Counter = Counter()  # (topic, partition, offset) -> failures alone
        metrics.PARKED.set(self.attente.compte(PARQUE))

    # -- reading --------------------------------------------------------------------------

    def _recharger_partenaires(self) -> None:
        """A partner registered after start is known from the next batch on (retries need it)."""
        if self.lecteur.recharger():
            self.partners = self.lecteur.partners

    def _bruts(self, incs: list[Incoming]) -> list:
        return [(self.partner_type_of[i.topic], i.value, i.headers) for i in incs]

    def _sources(self, incs: list[Incoming], rows: list | None = None, lus: list | None = None) -> list[Source]:
        """Read the messages (in worker processes when the reader has them), unless ``lus``
        holds what was read already."""
        lus = self.lecteur.lire(self._bruts(incs)) if lus is None else lus
        return [self._source_de(inc, lu, row) for inc, lu, row in zip(incs, lus, rows or [None] * len(incs))]

    def _source(self, inc: Incoming, row=None) -> Source:
        return self._sources([inc], [row])[0]

    def _source_de(self, inc: Incoming, msg: MessageLu | Rejet, row) -> Source:
        if isinstance(msg, Rejet):
            return Source(inc, None, msg, row)
        cle = msg.cle or self.app.cle_de_reference(msg.reference)
        if cle is None:
            return Source(inc, None, Rejet("SUJET_INVALIDE", "no parcours has the reference the subject names",
                                           msg.envelope["event_id"], msg.partner_id), row)
        emetteur = Emetteur(type=msg.partner_type, identifiant=msg.identifiant,
                            partner_id=msg.partner_id)
        fait = Fait(event_id=msg.envelope["event_id"], type=msg.type, emetteur=emetteur,
                    cle=cle, time=msg.envelope["time"], payload=msg.payload,
                    empreinte=msg.empreinte)
        return Source(inc, fait, None, row)

    def _source_parquee(self, row) -> Source:
        return self._sources_parquees([row])[0]

    def _sources_parquees(self, rows: list) -> list[Source]:
        return self._sources([Incoming(r.topic, r.partition, r.offset, r.kafka_key, r.value,
                                       decode_headers(r.headers)) for r in rows], rows)

    def _verdicts(self) -> Verdicts:
        return Verdicts(self.app, self.attente, self.partners, self.delai)

    # -- a batch --------------------------------------------------------------------------

    def handle(self, batch: list[Incoming]) -> Lot:
        """Decide a batch; blocking (store I/O): call it from an executor, not the event loop.
        With reading processes a large batch is decided in parts whose reading runs ahead (the
        processes read the next parts while one is decided and stored); each part is decided as
        a batch of its own. If a part fails, its messages are decided one by one; one that fails
        alone ``POISON_AFTER`` times (across the agent's retries) is refused ERREUR_TRAITEMENT,
        with its bytes, and no longer blocks its partition. Otherwise the error is raised and the
        agent retries the whole batch (an infrastructure failure: a database away); the parts
        already stored are then found again as duplicates, their receipts unchanged."""
        self._recharger_partenaires()
        k = self.lecteur.morceaux(len(batch))
        taille = -(-len(batch) // k)
        parts = [batch[i:i + taille] for i in range(0, len(batch), taille)]
        lectures = [self.lecteur.plus_tard(self._bruts(p)) for p in parts]
        lot = Lot()
        for part, lecture in zip(parts, lectures):
            fait = self._handle_part(part, lecture)
            lot.outcomes += fait.outcomes
            lot.envois += fait.envois
        return lot

    def _handle_part(self, batch: list[Incoming], lecture) -> Lot:
        try:
            lot = self._handle(batch, lecture())
            for inc in batch if self._echecs else []:
                self._echecs.pop((inc.topic, inc.partition, inc.offset), None)
            return lot
        except Exception as exc:
            if unavailable(exc):  # a store away is no message's fault: wait, count nothing
                raise
            log.exception("batch of %d failed: deciding its messages one by one", len(batch))
        lot, failed = Lot(), []
        for inc in batch if len(batch) > 1 else []:
            try:
                one = self._handle([inc])
            except Exception as exc:
                if unavailable(exc):
                    raise
                log.exception("message %s[%s]@%s failed", inc.topic, inc.partition, inc.offset)
                failed.append(inc)
                continue
            lot.outcomes += one.outcomes
            lot.envois += one.envois
        failed = failed if len(batch) > 1 else list(batch)
        for inc in failed:
            self._echecs[(inc.topic, inc.partition, inc.offset)] += 1
        if any(self._echecs[(i.topic, i.partition, i.offset)] < POISON_AFTER for i in failed):
            raise RuntimeError(f"{len(failed)} message(s) of the batch failed; the batch is retried")
        v = self._verdicts()
        for inc in failed:
            v.refuser(Source(inc, None, None, None), "ERREUR_TRAITEMENT",
                      f"the platform failed {POISON_AFTER} times to process this message; "
                      "retry it after a fix (`ambition rejected retry`)")
        lot.outcomes += v.outcomes
        lot.envois += v.ecrire()
        for inc in failed:
            del self._echecs[(inc.topic, inc.partition, inc.offset)]
        return lot

    def _handle(self, batch: list[Incoming], lus: list | None = None) -> Lot:
        sources = self._sources(batch, lus=lus)
        inscrits = {s.fait.cle for s in sources if s.fait and s.fait.type == "EleveInscrit"}
        cles = inscrits | {s.fait.cle for s in sources if s.fait}
        rows = self.attente.parques(cles) if cles else []
        # a parked fact of a parcours that exists now (another processor enrolled it after this
        # one parked the fact, and before the sweep): decided before the batch's facts of that
        # parcours, which may need it (an activity after its accueil)
        existent = {c: self.app.existe(c) for c in {r.cle for r in rows} - inscrits}
        parquees = self._sources_parquees([r for r in rows if r.cle in inscrits or existent.get(r.cle)])
        sequence = ordonner(sources, parquees, self.app.existe)
        v = self._verdicts()
        v.decider(sequence)
        lot = Lot(v.outcomes, v.ecrire())
        if v.parking_changed:
            metrics.PARKED.set(self.attente.compte(PARQUE))
        return lot

    # -- the sweep ------------------------------------------------------------------------

    def balayer(self, limit: int = 1000) -> list[Envoi]:
        """Replay the parked facts whose parcours now exists, refuse ORPHELIN those older than
        the delay, and return every document still waiting to be sent."""
        self._recharger_partenaires()
        rows = self.attente.parques(limit=limit)
        connues: dict[str, bool] = {}
        rejouer, limite = [], self.horloge() - timedelta(seconds=self.delai)
        v = self._verdicts()
        for row in rows:
            if row.cle not in connues:
                connues[row.cle] = bool(row.cle) and self.app.existe(row.cle)
            if connues[row.cle]:
                rejouer.append(self._source_parquee(row))
            elif _aware(row.first_seen) <= limite:
                v.orpheline(self._source_parquee(row))
        envois = {e.row_id: e for e in v.ecrire()}
        if rejouer:
            try:
                replay = self._verdicts()
                replay.decider(rejouer)
                envois.update({e.row_id: e for e in replay.ecrire()})
            except Exception:  # they stay parked, counted by the gauge; the rest of the sweep goes on
                log.exception("replaying %d parked facts failed; they stay parked", len(rejouer))
        envois.update({e.row_id: e for e in self.attente.a_envoyer(limit)})
        metrics.PARKED.set(self.attente.compte(PARQUE))
        return sorted(envois.values(), key=lambda e: e.row_id)

    def liberer(self, envois: list[Envoi]) -> None:
        """The documents were acknowledged by the broker: forget them."""
        self.attente.liberer([e.row_id for e in envois])


def _aware(t: datetime) -> datetime:
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)
