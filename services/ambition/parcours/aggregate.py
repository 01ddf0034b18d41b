"""The ``Parcours`` aggregate: one per élève (id derived from the pseudonymous key).

Its events are named like the partner facts they record (docs/evenements.md), plus
``ParcoursClos``. Each carries ``origine_event_id`` (the partner's event id), ``emetteur``
(partner id) and ``empreinte`` (content hash, for idempotency), and only the fields the rules
and views need: never the INE, names, birth date or disability support (see ``identite``).
What the views would otherwise recompute (days in enterprise, rights' end, status after the
outcome) is computed here, once, and carried in the events (``droits``).

Age: the aggregate never stores the birth date. At enrolment the platform computes the part
of the parcours window in which the young person is aged 16 to 25 (``pacea_possible_du`` ..
``pacea_possible_au``, end exclusive, clipped to the parcours), which is all PACEA_AGE needs,
and whether the élève is a minor at the start (VOLONTARIAT, decided at enrolment).

After closure a new enrolment re-opens the aggregate as parcours ``numero + 1``: the élève
keeps one history, each parcours its number; ``historique`` keeps what a correction of a
closed parcours needs, ``anciens`` the state of each earlier parcours, so that a late fact of
that parcours (dated before its closure, decided after the next one opened) is checked and
recorded there: every partner fact's event carries the number of its parcours. A PACEA (the
mission locale's contract) goes on across parcours.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, CanMutateAggregate, event
from eventsourcing.utils import get_topic

from ambition.parcours import droits as regles_droits

NAMESPACE_PARCOURS = uuid5(NAMESPACE_URL, "https://ambition-emploi.example/parcours")
PERIODES_ENTREPRISE = ("PFMP", "STAGE", "IMMERSION")
#: What belongs to one parcours (the rest, e.g. the PACEA and the facts received, to the élève).
ETAT_DU_PARCOURS = ("numero", "ouvert", "issue", "date_cloture", "emetteur_cloture", "uai",
                    "diplome", "specialite", "session_examen", "resultat_examen", "referent",
                    "date_debut", "date_fin_prevue", "boursier", "interne", "fonds_sociaux",
                    "annee_scolaire", "mineur", "pacea_possible_du", "pacea_possible_au",
                    "mission_locale", "conseiller", "date_accueil", "periodes", "solutions",
                    "activites", "dernier_fait")


#: The events of partner facts that record the parcours number (ParcoursClos and IssueCorrigee
#: name it themselves).
NUMEROTES = ("ReferentChange", "InscriptionCorrigee", "ActiviteLyceeRealisee", "PfmpDebutee",
             "PfmpTerminee", "AbandonDeclare", "MissionLocaleChangee", "AccueilRealise",
             "PaceaSigne", "PaceaTermine", "ActiviteMissionLocaleRealisee", "StageDebute",
             "StageTermine", "BilanRealise", "PositionnementRealise", "SolutionProposee",
             "SolutionDemarree")


def cle_periode(emetteur: str, periode_id: str) -> str:
    """Period ids belong to their emitter: a lycée's ``1`` and a mission locale's ``1`` differ."""
    return f"{emetteur}/{periode_id}"


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
        self.historique: dict[int, dict[str, Any]] = {}
        self.anciens: dict[int, dict[str, Any]] = {}
        self.pacea_signe_le: date | None = None
        self.pacea_termine_le: date | None = None
        self.pacea_emetteur: str | None = None

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
        if e.numero > 1:  # the parcours just closed keeps its state, for its late facts
            self.anciens[self.numero] = self._etat_du_parcours()
        self.numero, self.ouvert, self.issue, self.date_cloture = e.numero, True, None, None
        self.emetteur_cloture: str | None = None
        for champ in ("uai", "diplome", "specialite", "session_examen", "resultat_examen",
                      "referent", "date_debut", "date_fin_prevue", "boursier", "interne",
                      "fonds_sociaux", "annee_scolaire", "mineur", "pacea_possible_du",
                      "pacea_possible_au"):
            setattr(self, champ, getattr(e, champ))
        self.mission_locale: str | None = None
        self.conseiller: str | None = None
        self.date_accueil: date | None = None
        self.periodes: dict[str, dict[str, Any]] = {}
        self.solutions: dict[str, dict[str, Any]] = {}
        self.activites: list[tuple[str, str, date]] = []
        self.dernier_fait: date = e.date_debut
        self.traites[e.origine_event_id] = e.empreinte

    def _etat_du_parcours(self) -> dict[str, Any]:
        return {champ: getattr(self, champ) for champ in ETAT_DU_PARCOURS}

    @contextmanager
    def pour_le_parcours(self, numero: int | None) -> Iterator[None]:
        """Within the block, the aggregate shows parcours ``numero`` (an earlier one): its
        rules read that parcours, its events record and apply to it."""
        if numero is None or numero == self.numero:
            yield
            return
        courant = self._etat_du_parcours()
        self.__dict__.update(self.anciens[numero])
        try:
            yield
        finally:
            self.anciens[numero] = self._etat_du_parcours()
            self.__dict__.update(courant)

    def trigger_event(self, event_class: Any, **kwargs: Any) -> None:
        """Every partner fact's event carries the number of the parcours it belongs to."""
        if event_class.__name__ in NUMEROTES and kwargs.get("numero") is None:
            kwargs["numero"] = self.numero
        super().trigger_event(event_class, **kwargs)

    # -- what the rules and views read ------------------------------------------------------

    @property
    def clos(self) -> bool:
        return not self.ouvert

    @property
    def pacea_en_cours(self) -> bool:
        return self.pacea_signe_le is not None and self.pacea_termine_le is None

    @property
    def jours_en_entreprise(self) -> int:
        """Inclusive days of PFMP, stage and immersion periods, each clipped to the closure."""
        return regles_droits.jours_en_entreprise(
            ((p["date_debut"], p["date_fin"]) for p in self.periodes.values()), self.date_cloture)

    def autres_periodes(self, sauf: str = "") -> list[tuple[str, date, date]]:
        return [(i, p["date_debut"], p["date_fin"]) for i, p in self.periodes.items() if i != sauf]

    @property
    def droits(self) -> dict[str, bool]:
        """Rights of the statut scolaire in force while the parcours is open."""
        return regles_droits.en_vigueur(self.ouvert, self.boursier, self.interne, self.fonds_sociaux)

    def _noter(self, origine_event_id: str, empreinte: str, *jours: date) -> None:
        self.traites[origine_event_id] = empreinte
        self.dernier_fait = max([self.dernier_fait, *jours])

    def _activite(self, type_: str, activite: str, jour: date) -> None:
        self.activites.append((type_, activite, jour))

    # -- the events: partner facts accepted (bodies only evolve the state) -------------------

    @event("ReferentChange")
    def referent_change(self, origine_event_id: str, emetteur: str, empreinte: str,
                        referent: str, date_effet: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.referent = referent
            self._noter(origine_event_id, empreinte, date_effet)

    @event("InscriptionCorrigee")
    def inscription_corrigee(self, origine_event_id: str, emetteur: str, empreinte: str,
                             date: date, date_fin_prevue: date, referent: str, boursier: bool,
                             interne: bool, fonds_sociaux: bool, motif: str,
                             numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.date_fin_prevue, self.referent = date_fin_prevue, referent
            self.boursier, self.interne, self.fonds_sociaux = boursier, interne, fonds_sociaux
            self._noter(origine_event_id, empreinte, date)

    @event("ActiviteLyceeRealisee")
    def activite_lycee_realisee(self, origine_event_id: str, emetteur: str, empreinte: str,
                                activite: str, date: date, duree_heures: int | None,
                                numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._activite("LYCEE", activite, date)
            self._noter(origine_event_id, empreinte, date)

    @event("PfmpDebutee")
    def pfmp_debutee(self, origine_event_id: str, emetteur: str, empreinte: str,
                     periode_id: str, siret: str, date_debut: date, date_fin_prevue: date,
                     jours_en_entreprise: int | None = None, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._periode(emetteur, periode_id, "PFMP", siret, date_debut, date_fin_prevue)
            self._noter(origine_event_id, empreinte, date_debut)

    @event("PfmpTerminee")
    def pfmp_terminee(self, origine_event_id: str, emetteur: str, empreinte: str,
                      periode_id: str, date_fin: date, jours_en_entreprise: int | None = None,
                      numero: int | None = None) -> None:
        self._periode_terminee(origine_event_id, emetteur, empreinte, periode_id, date_fin, numero)

    @event("AbandonDeclare")
    def abandon_declare(self, origine_event_id: str, emetteur: str, empreinte: str,
                        date: date, motif: str | None, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._noter(origine_event_id, empreinte)

    @event("MissionLocaleChangee")
    def mission_locale_changee(self, origine_event_id: str, emetteur: str, empreinte: str,
                               date: date, ancienne_mission_locale: str | None, siret: str,
                               motif: str | None, numero: int | None = None) -> None:
        """The lycée named the new mission locale: it alone may speak, after its accueil."""
        with self.pour_le_parcours(numero):
            self.mission_locale, self.conseiller, self.date_accueil = siret, None, None
            self._noter(origine_event_id, empreinte, date)

    @event("AccueilRealise")
    def accueil_realise(self, origine_event_id: str, emetteur: str, empreinte: str,
                        siret: str, conseiller: str, date: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.mission_locale, self.conseiller = siret, conseiller
            self.date_accueil = self.date_accueil or date
            self._noter(origine_event_id, empreinte, date)

    @event("PaceaSigne")
    def pacea_signe(self, origine_event_id: str, emetteur: str, empreinte: str,
                    date_signature: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.pacea_signe_le, self.pacea_termine_le = date_signature, None
            self.pacea_emetteur = emetteur
            self._noter(origine_event_id, empreinte, date_signature)

    @event("PaceaTermine")
    def pacea_termine(self, origine_event_id: str, emetteur: str, empreinte: str,
                      date_fin: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.pacea_termine_le = date_fin
            self._noter(origine_event_id, empreinte)

    @event("ActiviteMissionLocaleRealisee")
    def activite_ml_realisee(self, origine_event_id: str, emetteur: str, empreinte: str,
                             activite: str, date: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._activite("MISSION_LOCALE", activite, date)
            self._noter(origine_event_id, empreinte, date)

    @event("StageDebute")
    def stage_debute(self, origine_event_id: str, emetteur: str, empreinte: str,
                     periode_id: str, nature: str, siret: str, date_debut: date,
                     date_fin_prevue: date, jours_en_entreprise: int | None = None,
                     numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._periode(emetteur, periode_id, nature, siret, date_debut, date_fin_prevue)
            self._noter(origine_event_id, empreinte, date_debut)

    @event("StageTermine")
    def stage_termine(self, origine_event_id: str, emetteur: str, empreinte: str,
                      periode_id: str, date_fin: date, jours_en_entreprise: int | None = None,
                      numero: int | None = None) -> None:
        self._periode_terminee(origine_event_id, emetteur, empreinte, periode_id, date_fin, numero)

    @event("BilanRealise")
    def bilan_realise(self, origine_event_id: str, emetteur: str, empreinte: str, date: date,
                      participants: list[str], issue: str, detail: str | None,
                      numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._noter(origine_event_id, empreinte)

    @event("ParcoursClos")
    def parcours_clos(self, origine_event_id: str, emetteur: str, numero: int, issue: str,
                      date: date, droits_jusqu_au: date | None = None,
                      statut_scolaire_conserve: bool = True,
                      statut_structure_accueil: bool = False,
                      jours_en_entreprise: int | None = None, duree_jours: int | None = None,
                      depassement_deux_tiers: bool = False,
                      periodes_terminees: tuple[str, ...] = ()) -> None:
        self.ouvert, self.issue, self.date_cloture = False, issue, date
        self.emetteur_cloture = emetteur
        for cle in periodes_terminees:
            self.periodes[cle]["date_fin"] = min(self.periodes[cle]["date_fin"], date)
        self.historique[numero] = {"issue": issue, "date_cloture": date, "emetteur": emetteur,
                                   "uai": self.uai}

    @event("IssueCorrigee")
    def issue_corrigee(self, origine_event_id: str, emetteur: str, empreinte: str, date: date,
                       issue: str, motif: str, numero: int | None = None,
                       statut_scolaire_conserve: bool = True,
                       statut_structure_accueil: bool = False) -> None:
        numero = numero or self.numero
        self.historique.setdefault(numero, {})["issue"] = issue
        if numero == self.numero:
            self.issue = issue
        self._noter(origine_event_id, empreinte)

    @event("PositionnementRealise")
    def positionnement_realise(self, origine_event_id: str, emetteur: str, empreinte: str,
                               date: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self._activite("FOQUALE", "POSITIONNEMENT", date)
            self._noter(origine_event_id, empreinte, date)

    @event("SolutionProposee")
    def solution_proposee(self, origine_event_id: str, emetteur: str, empreinte: str,
                          solution_id: str, solution: str, date: date,
                          numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.solutions[solution_id] = {"solution": solution, "proposee_le": date,
                                           "demarree_le": None}
            self._noter(origine_event_id, empreinte, date)

    @event("SolutionDemarree")
    def solution_demarree(self, origine_event_id: str, emetteur: str, empreinte: str,
                          solution_id: str, date: date, numero: int | None = None) -> None:
        with self.pour_le_parcours(numero):
            self.solutions[solution_id]["demarree_le"] = date
            self._noter(origine_event_id, empreinte, date)

    def _periode_terminee(self, origine_event_id: str, emetteur: str, empreinte: str,
                          periode_id: str, date_fin: date, numero: int | None) -> None:
        """A PFMP or an enterprise period ended: its real end date, in its own parcours."""
        with self.pour_le_parcours(numero):
            self.periodes[cle_periode(emetteur, periode_id)].update(date_fin=date_fin,
                                                                    terminee=True)
            self._noter(origine_event_id, empreinte)

    def _periode(self, emetteur: str, periode_id: str, nature: str, siret: str, debut: date,
                 fin: date) -> None:
        self.periodes[cle_periode(emetteur, periode_id)] = {
            "nature": nature, "siret": siret, "date_debut": debut, "date_fin": fin,
            "terminee": False}
