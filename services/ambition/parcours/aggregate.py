"""The ``Parcours`` aggregate: one per élève (id derived from the pseudonymous key).

Its events are named like the partner facts they record (docs/evenements.md), plus
``ParcoursClos``. Each carries ``origine_event_id`` (the partner's event id), ``emetteur``
(partner id) and ``empreinte`` (content hash, for idempotency), and only the fields the rules
and views need: never the INE, names, birth date or disability support (see ``identite``).

Age: the aggregate never stores the birth date. At enrolment the platform computes the part
of the parcours window in which the young person is aged 16 to 25 (``pacea_possible_du`` ..
``pacea_possible_au``, end exclusive, clipped to the parcours), which is all PACEA_AGE needs,
and whether the élève is a minor at the start (VOLONTARIAT, decided at enrolment).

After closure a new enrolment for a later school year re-opens the aggregate as parcours
``numero + 1``: the élève keeps one history, and UN_SEUL_PARCOURS holds.
"""
from __future__ import annotations

from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, CanMutateAggregate, event
from eventsourcing.utils import get_topic

NAMESPACE_PARCOURS = uuid5(NAMESPACE_URL, "https://ambition-emploi.example/parcours")
PERIODES_ENTREPRISE = ("PFMP", "STAGE", "IMMERSION")


class Parcours(Aggregate):
    class EleveInscrit(Aggregate.Created):
        """Opens parcours ``numero``: creates the aggregate, or re-opens it after closure."""

        cle: str
        numero: int
        origine_event_id: str
        emetteur: str
        empreinte: str
        uai: str
        diplome: str
        specialite: str | None
        session_examen: int
        resultat_examen: str
        en_emploi: bool
        en_formation: bool
        consentement_eleve: bool
        consentement_representant_legal: bool | None
        referent: str
        date_debut: date
        date_fin_prevue: date
        boursier: bool
        interne: bool
        fonds_sociaux: bool
        annee_scolaire: int
        mineur: bool
        pacea_possible_du: date
        pacea_possible_au: date

        def mutate(self, aggregate: Any) -> Any:
            if aggregate is None:
                return super().mutate(None)
            return CanMutateAggregate.mutate(self, aggregate)

        def apply(self, p: Parcours) -> None:
            p._ouvrir(self)

    def __init__(self, cle: str) -> None:
        self.cle = cle
        self.traites: dict[str, str] = {}

    @staticmethod
    def id_pour(cle: str) -> UUID:
        return uuid5(NAMESPACE_PARCOURS, cle)

    @classmethod
    def inscrire(cls, **champs: Any) -> Parcours:
        return cls._create(cls.EleveInscrit, id=cls.id_pour(champs["cle"]), numero=1, **champs)

    def reinscrire(self, **champs: Any) -> None:
        self.trigger_event(self.EleveInscrit, numero=self.numero + 1,
                           originator_topic=get_topic(type(self)), **champs)

    def _ouvrir(self, e: Parcours.EleveInscrit) -> None:
        self.numero, self.ouvert, self.issue, self.date_cloture = e.numero, True, None, None
        for champ in ("uai", "diplome", "specialite", "session_examen", "resultat_examen",
                      "referent", "date_debut", "date_fin_prevue", "boursier", "interne",
                      "fonds_sociaux", "annee_scolaire", "mineur", "pacea_possible_du",
                      "pacea_possible_au"):
            setattr(self, champ, getattr(e, champ))
        self.mission_locale: str | None = None
        self.conseiller: str | None = None
        self.date_accueil: date | None = None
        self.pacea_signe_le: date | None = None
        self.pacea_termine_le: date | None = None
        self.periodes: dict[str, dict[str, Any]] = {}
        self.solutions: dict[str, dict[str, Any]] = {}
        self.activites: list[tuple[str, str, date]] = []
        self.traites[e.origine_event_id] = e.empreinte

    # -- what the rules and views read ------------------------------------------------------

    @property
    def clos(self) -> bool:
        return not self.ouvert

    @property
    def pacea_en_cours(self) -> bool:
        return self.pacea_signe_le is not None and self.pacea_termine_le is None

    @property
    def jours_en_entreprise(self) -> int:
        """Inclusive days of PFMP, stage and immersion periods (actual end once ended)."""
        return sum((p["date_fin"] - p["date_debut"]).days + 1 for p in self.periodes.values())

    def autres_periodes(self, sauf: str = "") -> list[tuple[str, date, date]]:
        return [(i, p["date_debut"], p["date_fin"]) for i, p in self.periodes.items() if i != sauf]

    @property
    def statut_scolaire(self) -> bool:
        """Kept during the parcours and after it, unless the outcome is PARCOURS_INSERTION."""
        return self.issue != "PARCOURS_INSERTION"

    @property
    def droits(self) -> dict[str, bool]:
        """Rights of the statut scolaire in force (disability support lives in the identity)."""
        en_vigueur = self.statut_scolaire
        return {"statut_scolaire": en_vigueur, "bourse": en_vigueur and self.boursier,
                "internat": en_vigueur and self.interne,
                "fonds_sociaux": en_vigueur and self.fonds_sociaux}

    def _noter(self, origine_event_id: str, empreinte: str) -> None:
        self.traites[origine_event_id] = empreinte

    def _activite(self, type_: str, activite: str, jour: date) -> None:
        self.activites.append((type_, activite, jour))

    # -- the events: partner facts accepted (bodies only evolve the state) -------------------

    @event("ReferentChange")
    def referent_change(self, origine_event_id: str, emetteur: str, empreinte: str,
                        referent: str, date_effet: date) -> None:
        self.referent = referent
        self._noter(origine_event_id, empreinte)

    @event("ActiviteLyceeRealisee")
    def activite_lycee_realisee(self, origine_event_id: str, emetteur: str, empreinte: str,
                                activite: str, date: date, duree_heures: int | None) -> None:
        self._activite("LYCEE", activite, date)
        self._noter(origine_event_id, empreinte)

    @event("PfmpDebutee")
    def pfmp_debutee(self, origine_event_id: str, emetteur: str, empreinte: str,
                     periode_id: str, siret: str, date_debut: date, date_fin_prevue: date) -> None:
        self._periode(periode_id, "PFMP", siret, date_debut, date_fin_prevue)
        self._noter(origine_event_id, empreinte)

    @event("PfmpTerminee")
    def pfmp_terminee(self, origine_event_id: str, emetteur: str, empreinte: str,
                      periode_id: str, date_fin: date) -> None:
        self.periodes[periode_id].update(date_fin=date_fin, terminee=True)
        self._noter(origine_event_id, empreinte)

    @event("AbandonDeclare")
    def abandon_declare(self, origine_event_id: str, emetteur: str, empreinte: str,
                        date: date, motif: str | None) -> None:
        self._noter(origine_event_id, empreinte)

    @event("AccueilRealise")
    def accueil_realise(self, origine_event_id: str, emetteur: str, empreinte: str,
                        siret: str, conseiller: str, date: date) -> None:
        self.mission_locale, self.conseiller = siret, conseiller
        self.date_accueil = self.date_accueil or date
        self._noter(origine_event_id, empreinte)

    @event("PaceaSigne")
    def pacea_signe(self, origine_event_id: str, emetteur: str, empreinte: str,
                    date_signature: date) -> None:
        self.pacea_signe_le, self.pacea_termine_le = date_signature, None
        self._noter(origine_event_id, empreinte)

    @event("PaceaTermine")
    def pacea_termine(self, origine_event_id: str, emetteur: str, empreinte: str,
                      date_fin: date) -> None:
        self.pacea_termine_le = date_fin
        self._noter(origine_event_id, empreinte)

    @event("ActiviteMissionLocaleRealisee")
    def activite_ml_realisee(self, origine_event_id: str, emetteur: str, empreinte: str,
                             activite: str, date: date) -> None:
        self._activite("MISSION_LOCALE", activite, date)
        self._noter(origine_event_id, empreinte)

    @event("StageDebute")
    def stage_debute(self, origine_event_id: str, emetteur: str, empreinte: str,
                     periode_id: str, nature: str, siret: str, date_debut: date,
                     date_fin_prevue: date) -> None:
        self._periode(periode_id, nature, siret, date_debut, date_fin_prevue)
        self._noter(origine_event_id, empreinte)

    @event("StageTermine")
    def stage_termine(self, origine_event_id: str, emetteur: str, empreinte: str,
                      periode_id: str, date_fin: date) -> None:
        self.periodes[periode_id].update(date_fin=date_fin, terminee=True)
        self._noter(origine_event_id, empreinte)

    @event("BilanRealise")
    def bilan_realise(self, origine_event_id: str, emetteur: str, empreinte: str, date: date,
                      participants: list[str], issue: str, detail: str | None) -> None:
        self._noter(origine_event_id, empreinte)

    @event("ParcoursClos")
    def parcours_clos(self, origine_event_id: str, emetteur: str, numero: int, issue: str,
                      date: date) -> None:
        self.ouvert, self.issue, self.date_cloture = False, issue, date

    @event("IssueCorrigee")
    def issue_corrigee(self, origine_event_id: str, emetteur: str, empreinte: str, date: date,
                       issue: str, motif: str) -> None:
        self.issue = issue
        self._noter(origine_event_id, empreinte)

    @event("PositionnementRealise")
    def positionnement_realise(self, origine_event_id: str, emetteur: str, empreinte: str,
                               date: date) -> None:
        self._activite("FOQUALE", "POSITIONNEMENT", date)
        self._noter(origine_event_id, empreinte)

    @event("SolutionProposee")
    def solution_proposee(self, origine_event_id: str, emetteur: str, empreinte: str,
                          solution_id: str, solution: str, date: date) -> None:
        self.solutions[solution_id] = {"solution": solution, "proposee_le": date,
                                       "demarree_le": None}
        self._noter(origine_event_id, empreinte)

    @event("SolutionDemarree")
    def solution_demarree(self, origine_event_id: str, emetteur: str, empreinte: str,
                          solution_id: str, date: date) -> None:
        self.solutions[solution_id]["demarree_le"] = date
        self._noter(origine_event_id, empreinte)

    def _periode(self, periode_id: str, nature: str, siret: str, debut: date, fin: date) -> None:
        self.periodes[periode_id] = {"nature": nature, "siret": siret, "date_debut": debut,
                                     "date_fin": fin, "terminee": False}
