"""One young person's parcours as the three partners tell it, dated day by day (no I/O).

A story follows the arrêté: enrolment at the rentrée (about 10 % ineligible, refused and told
no further), the mission locale's accueil within days, lycée and mission-locale activities,
a PFMP and a stage that never overlap, a PACEA for some, a Foquale/MLDS positionnement and
solution where the lycée's académie has a network, then for most a closure: the bilan with one
of the three outcomes, or a withdrawal. Nothing is dated after ``horizon`` (today: the platform
refuses a fact dated after the day it is declared), nor after the closure.
"""
from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta

from ambition.simulator import inscription

ISSUES_BILAN = ("FORMATION", "EMPLOI", "PARCOURS_INSERTION")
SIRET_ENTREPRISES = ("75000000000000", "73282932000074", "55210055400013")
ACTIVITES_LYCEE = ("CONSOLIDATION_ACQUIS", "PREPARATION_EPREUVES")
ACTIVITES_ML = ("MOBILISATION", "BILAN_COMPETENCES", "ATELIER_TRE", "COMPETENCES_PSYCHOSOCIALES",
                "ATELIER_ORIENTATION")
SOLUTIONS = ("REPARATION_EXAMEN", "REMOBILISATION", "REMEDIATION", "SOLUTION_FOQUALE")
REFUS_ELIGIBILITE = {"BTS": "ELIGIBILITE_DIPLOME", "SESSION_ANCIENNE": "ELIGIBILITE_SESSION",
                     "EN_EMPLOI": "ELIGIBILITE_SITUATION"}


@dataclass
class Fait:
    """One fact: its date, who tells it, the SDK producer's method and its arguments."""
    jour: date
    partner_id: str
    methode: str
    champs: dict
    refus: str | None = None  # the reason code the platform must give, if it must refuse


@dataclass
class Histoire:
    uai: str
    faits: list[Fait] = field(default_factory=list)
    entre: bool = False
    debut: date | None = None
    mission_locale: str | None = None
    issue: str | None = None
    cloture: date | None = None
    solution: bool = False  # a Foquale/MLDS solution started
    pacea: bool = False


def _id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def histoire(rng: random.Random, lycee, ml, foquale, rentree: date, horizon: date, cle_de) -> Histoire:
    """``lycee``, ``ml``, ``foquale``: the partners' credentials (``foquale`` None where the
    académie has no network); ``cle_de(ine)``: how every partner names the élève (its INE: each partner's SDK seals it)."""
    champs, motif = inscription(rng, lycee.identifiant, rentree, horizon)
    h = Histoire(uai=lycee.identifiant)
    d0 = champs["date_debut"]
    fin = min(horizon, champs["date_fin_prevue"])

    def dit(partner, methode, jour, refus=None, **kw):
        if jour <= fin and (h.cloture is None or jour <= h.cloture):
            h.faits.append(Fait(jour, partner.partner_id, methode, dict(kw, event_id=_id(rng)), refus))
            return True
        return False

    if motif:  # refused at the door: nothing follows
        dit(lycee, "eleve_inscrit", d0, refus=REFUS_ELIGIBILITE[motif], **champs)
        return h
    dit(lycee, "eleve_inscrit", d0, **champs)
    h.entre, h.debut, cle = True, d0, cle_de(champs["ine"])
    j = lambda n: d0 + timedelta(days=n)  # noqa: E731
    # closure: a bilan for about half, a withdrawal for 8 %, the rest still open
    tirage, jour_cloture = rng.random(), j(rng.randint(45, 95))
    accueil = j(rng.randint(1, 12))
    if dit(ml, "accueil_realise", accueil, cle=cle, conseiller=f"conseiller-{rng.randint(1, 4)}", date=accueil):
        h.mission_locale = ml.identifiant
    for n in sorted(rng.sample(range(3, 40), rng.randint(1, 3))):
        dit(lycee, "activite_lycee_realisee", j(n), cle=cle, activite=rng.choice(ACTIVITES_LYCEE),
            date=j(n), duree_heures=rng.choice([3, 6, 12]))
    if h.mission_locale:
        for n in sorted(rng.sample(range(13, 44), rng.randint(1, 3))):
            dit(ml, "activite_realisee", j(n), cle=cle, activite=rng.choice(ACTIVITES_ML), date=j(n))
        if rng.random() < 0.3:
            h.pacea = dit(ml, "pacea_signe", j(14), cle=cle, date_signature=j(14))
    if rng.random() < 0.5:  # a PFMP of two weeks, days 15..28
        if dit(lycee, "pfmp_debutee", j(15), cle=cle, periode_id="pfmp-1", siret=rng.choice(SIRET_ENTREPRISES),
               date_debut=j(15), date_fin_prevue=j(28)):
            dit(lycee, "pfmp_terminee", j(28), cle=cle, periode_id="pfmp-1", date_fin=j(28))
    if h.mission_locale and rng.random() < 0.3:  # a stage or an immersion, days 32..36
        if dit(ml, "stage_debute", j(32), cle=cle, periode_id="stage-1", nature=rng.choice(["STAGE", "IMMERSION"]),
               siret=rng.choice(SIRET_ENTREPRISES), date_debut=j(32), date_fin_prevue=j(36)):
            dit(ml, "stage_termine", j(36), cle=cle, periode_id="stage-1", date_fin=j(36))
    if foquale and rng.random() < 0.6:
        if dit(foquale, "positionnement_realise", j(8), cle=cle, date=j(8)) and rng.random() < 0.6:
            if dit(foquale, "solution_proposee", j(18), cle=cle, solution_id="sol-1",
                   solution=rng.choice(SOLUTIONS), date=j(18)) and rng.random() < 0.7:
                h.solution = dit(foquale, "solution_demarree", j(25), cle=cle, solution_id="sol-1", date=j(25))
    if jour_cloture <= fin and tirage < 0.08:
        if dit(lycee, "abandon_declare", jour_cloture, cle=cle, date=jour_cloture, motif="DEMENAGEMENT"):
            h.issue, h.cloture = "ABANDON", jour_cloture
    elif jour_cloture <= fin and tirage < 0.58 and h.mission_locale:
        issue = rng.choice(ISSUES_BILAN)
        if rng.random() < 0.04:  # a bilan without the référent is refused, then held properly
            dit(ml, "bilan_realise", jour_cloture, refus="BILAN_TRIPARTITE", cle=cle, date=jour_cloture,
                issue=issue, participants=["JEUNE", "CONSEILLER_ML"])
        if dit(ml, "bilan_realise", jour_cloture, cle=cle, date=jour_cloture, issue=issue):
            h.issue, h.cloture = issue, jour_cloture
            apres = jour_cloture + timedelta(days=3)
            if rng.random() < 0.04 and apres <= fin:  # an activity after the closure is refused
                h.faits.append(Fait(apres, ml.partner_id, "activite_realisee",
                                    dict(cle=cle, activite="MOBILISATION", date=apres, event_id=_id(rng)),
                                    "ISSUE_UNIQUE"))
    return h
