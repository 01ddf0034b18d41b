"""The parcours application: the thin service layer the ingestion calls.

``traiter_lot`` decides a batch of partner facts in order, then saves every touched aggregate
(and the identities of new élèves) in ONE transaction. Concurrency is optimistic: if another
processor saved one of those parcours first, the store raises ``IntegrityError``; the whole
batch is then reloaded and decided again (bounded retries). Decisions are pure, so redoing
them is safe.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import ApplicationRecorder, IntegrityError, JSONTranscoder
from eventsourcing.utils import resolve_topic

from ambition.parcours.aggregate import Parcours
from ambition.parcours.calendrier import Calendrier
from ambition.parcours.decisions import decider
from ambition.parcours.erreurs import Doublon, Refus
from ambition.parcours.faits import ACCEPTE, DOUBLON, INCONNU, REFUSE, Fait, Resultat
from ambition.parcours.transcodages import DateEnISO

POPO = "eventsourcing.popo"


class CoffreIdentites(Protocol):
    """Encrypts élèves' identities for the store, opens them again, and forgets an élève by
    destroying its data key (the cipher and its key store live outside the domain, in
    ``ambition.identite``)."""

    def chiffrer(self, payloads: Mapping[UUID, Mapping[str, Any]]) -> dict[UUID, bytes]: ...

    def dechiffrer(self, parcours_id: UUID, donnees: bytes) -> dict[str, Any] | None: ...

    def oublier(self, parcours_id: UUID) -> None: ...

    def close(self) -> None: ...


class ParcoursApp(Application[UUID]):
    """Env (the library's own mechanism): ``PERSISTENCE_MODULE`` and its settings,
    ``APPLICATION_RECORDER_TOPIC`` (a recorder that also keeps the identities, see
    ``ambition.stockage``), ``CALENDRIER`` (JSON rentrée overrides), ``TENTATIVES_MAX``
    (retries of a batch after a concurrency conflict, default 5) and ``PARCOURS_EN_MEMOIRE``
    (the parcours ``traiter_lot`` keeps between batches, default 10,000; 0: none). The
    identity cipher is handed in (``coffre``); ``ambition.bootstrap.make_app`` wires both."""

    name = "ParcoursApp"  # names the PostgreSQL tables (parcoursapp_events, ..._identites)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        nomme = "name" in cls.__dict__
        super().__init_subclass__(**kwargs)
        if not nomme:  # a subclass (e.g. a test fake) shares the same tables
            cls.name = ParcoursApp.name

    def __init__(self, env: dict[str, str] | None = None, *, coffre: CoffreIdentites) -> None:
        super().__init__(env)
        self.calendrier = Calendrier.depuis_json(self.env.get("CALENDRIER", ""))
        self.coffre = coffre
        self.tentatives_max = int(self.env.get("TENTATIVES_MAX", "5"))
        # the parcours as last saved by this instance, by id, least recently used first
        self.en_memoire: OrderedDict[UUID, Parcours] = OrderedDict()
        self.en_memoire_max = int(self.env.get("PARCOURS_EN_MEMOIRE", "10000"))
        self._verrou_memoire = threading.Lock()

    def construct_recorder(self) -> ApplicationRecorder:
        topic = self.env.get("APPLICATION_RECORDER_TOPIC", "")
        if topic and self.env.get("PERSISTENCE_MODULE", POPO) == POPO:
            return resolve_topic(topic)()  # the POPO factory ignores the topic
        return super().construct_recorder()

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateEnISO())

    # -- commands -------------------------------------------------------------------------

    def traiter_lot(self, faits: list[Fait]) -> list[Resultat]:
        for tentative in range(1, self.tentatives_max + 1):
            try:
                return self._traiter_une_fois(faits)
            except IntegrityError:
                if tentative == self.tentatives_max:
                    raise
        raise AssertionError("unreachable")

    def _traiter_une_fois(self, faits: list[Fait]) -> list[Resultat]:
        parcours = self.charger({fait.cle for fait in faits})
        identites: dict[UUID, Mapping[str, Any]] = {}
        resultats = []
        for fait in faits:
            resultat, p = self._decider(parcours[fait.cle], fait)
            resultats.append(resultat)
            if resultat.statut == ACCEPTE and p is not None:
                parcours[fait.cle] = p
                if fait.type == "EleveInscrit":
                    identites[p.id] = fait.payload
        # the data keys are committed to their own store first, then the events' transaction
        # writes the encrypted identities; only the parcours a fact changed are saved (a
        # batch of duplicates or refusals writes nothing)
        changes = [p for p in parcours.values() if p is not None and p.pending_events]
        if changes:
            self.save(*changes, identites=self.coffre.chiffrer(identites))
        self._garder(p for p in parcours.values() if p is not None)  # saved: as stored now
        return resultats

    def _garder(self, parcours) -> None:
        if self.en_memoire_max <= 0:
            return
        with self._verrou_memoire:
            for p in parcours:
                self.en_memoire[p.id] = p
                self.en_memoire.move_to_end(p.id)
            while len(self.en_memoire) > self.en_memoire_max:
                self.en_memoire.popitem(last=False)

    def _decider(self, p: Parcours | None, fait: Fait) -> tuple[Resultat, Parcours | None]:
        pid = p.id if p is not None else None
        try:
            nouveau = decider(p, fait, self.calendrier)
        except Doublon:
            return Resultat(fait.event_id, DOUBLON, parcours_id=pid), None
        except Refus as refus:
            return Resultat(fait.event_id, REFUSE, refus.code, refus.message, pid), None
        if nouveau is None:
            return Resultat(fait.event_id, INCONNU, None,
                            f"no parcours yet for this key: {fait.type} is parked"), None
        return Resultat(fait.event_id, ACCEPTE, parcours_id=nouveau.id), nouveau

    def essayer(self, fait: Fait) -> Resultat:
        """What ``traiter_lot`` would decide for this fact alone against the stored state,
        with nothing saved (the conformance sandbox)."""
        return self._decider(self.parcours(fait.cle), fait)[0]

    def oublier(self, cle: str) -> None:
        """Right to erasure: destroy the élève's identity and its data key; the pseudonymous
        history stays."""
        self.oublier_parcours(Parcours.id_pour(cle))

    def oublier_parcours(self, parcours_id: UUID) -> None:
        self.coffre.oublier(parcours_id)  # from now on, no copy of the identity is readable
        self.recorder.oublier_identite(parcours_id)  # type: ignore[attr-defined]

    # -- queries --------------------------------------------------------------------------

    def parcours(self, cle: str) -> Parcours | None:
        try:
            return self.repository.get(Parcours.id_pour(cle))
        except AggregateNotFoundError:
            return None

    def existe(self, cle: str) -> bool:
        """Whether a parcours is stored for this key (its last event read, not the history)."""
        return bool(self.recorder.select_events(Parcours.id_pour(cle), desc=True, limit=1))

    def cle_de_reference(self, reference: str | None) -> str | None:
        """The parcours key of a parcours reference (the aggregate's id), if it exists."""
        try:
            return self.repository.get(UUID(reference)).cle
        except (AggregateNotFoundError, TypeError, ValueError):
            return None

    def charger(self, cles: set[str]) -> dict[str, Parcours | None]:
        """The parcours of these keys (None: not enrolled yet), read in one query when the
        recorder can (a batch touches up to 200 parcours: one query each was most of the
        store's time).

        A parcours this instance saved in an earlier batch is taken from memory, brought up
        to date with the events stored since (another processor's): only those are decoded,
        not its whole history (most of the time of a batch of a cohort's facts). It is taken
        OUT of memory while the batch is decided, and put back only once the batch is saved,
        so a batch that fails leaves no decision of its own in memory."""
        select = getattr(self.recorder, "select_events_de", None)
        if select is None or self.snapshots is not None:
            return {cle: self.parcours(cle) for cle in cles}
        ids = {Parcours.id_pour(cle): cle for cle in cles}
        with self._verrou_memoire:
            gardes = {i: self.en_memoire.pop(i) for i in ids if i in self.en_memoire}
        stockes: dict[UUID, list] = {}
        for stored in select(list(ids)):
            stockes.setdefault(stored.originator_id, []).append(stored)
        trouves: dict[str, Parcours | None] = {}
        for i, cle in ids.items():
            p, histoire = gardes.get(i), stockes.get(i, [])
            if p is not None and (not histoire or histoire[-1].originator_version < p.version):
                p = None  # the store does not hold what this instance saved: read it again
            if p is not None:
                histoire = [e for e in histoire if e.originator_version > p.version]
            for stored in histoire:  # each event checks it is the next version of ``p``
                p = self.mapper.to_domain_event(stored).mutate(p)
            trouves[cle] = p
        return trouves

    def identite(self, cle: str) -> dict[str, Any] | None:
        """Decrypted identity (INE, names, birth date, disability support), for the lycée."""
        pid = Parcours.id_pour(cle)
        donnees = self.recorder.lire_identite(pid)  # type: ignore[attr-defined]
        return None if donnees is None else self.coffre.dechiffrer(pid, donnees)

    def close(self) -> None:
        super().close()
        self.coffre.close()
