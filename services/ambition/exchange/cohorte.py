"""A synthetic cohort of whole parcours told by the three partners, and what it must give.

Each parcours: the lycée enrols, records an activity (and a PFMP for one in two); the mission
locale holds the accueil, an activity (and a stage for one in three); Foquale/MLDS positions
the young person (and proposes a solution for one in two); one parcours in four is closed by
the mission locale's bilan. Deliberate refusals: an ineligible enrolment (a BTS) and the
accueil that follows it, and a positionnement for a young person never enrolled (both end
``ORPHELIN``). ``melanger`` interleaves the partners at random, each partner keeping its own
order (what Kafka guarantees per key), closing bilans included: a lycée's or Foquale's fact
dated before the closure that arrives after it is still accepted (ISSUE_UNIQUE as DOMAIN.md
states it). Every fact is dated on or before ``TODAY`` (no fact dated after its declaration).
No real person: random INEs and names.
"""
from __future__ import annotations

import random
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from ambition.parcours.academies import academie
from ambition.simulator import inscription

# starts up to 40 days after the rentrée: the last fact (the bilan, 40 days later) is in the past
RENTREE, TODAY = date(2026, 9, 1), date(2026, 10, 11)
SIRET_ENTREPRISE = "75000000000000"
ISSUES = ("FORMATION", "EMPLOI", "PARCOURS_INSERTION")


@dataclass(frozen=True)
class Prevu:
    """One fact to send: the partner, the SDK producer's method and its arguments."""
    partner_id: str
    methode: str
    champs: dict
    cloture: bool = False


@dataclass
class Cohorte:
    faits: list[Prevu] = field(default_factory=list)
    entrees: int = 0
    issues: Counter = field(default_factory=Counter)
    refus: Counter = field(default_factory=Counter)
    par_lycee: Counter = field(default_factory=Counter)  # UAI -> élèves enrolled
    jours_pfmp: Counter = field(default_factory=Counter)  # UAI -> PFMP and stage days planned

    @property
    def attendu(self) -> dict:
        """The PSAD synthesis this cohort must give on an empty platform."""
        return {"entrees": self.entrees, "parcours_ouverts": self.entrees - sum(self.issues.values()),
                "issues": dict(self.issues), "refus": dict(self.refus)}


def generer(creds, n: int, seed: int, secret: str | None = None, orphelins: bool = True) -> Cohorte:
    """``creds``: the demo partners' credentials; ``orphelins``: include the two facts that end
    ORPHELIN after the parking delay. Facts address the élève by its INE (``cle``): each
    partner's SDK seals it. ``secret`` is not used (partners hold no platform secret)."""
    rng = random.Random(seed)
    lycees = [c for c in creds if c.type == "LYCEE"][:3]
    mls = [c for c in creds if c.type == "MISSION_LOCALE"][:2]
    reseaux = {c.identifiant: c for c in creds if c.type == "FOQUALE"}
    c = Cohorte()

    def ajoute(partner, methode, cloture=False, **champs):
        champs.setdefault("event_id", str(uuid.UUID(int=rng.getrandbits(128), version=4)))
        c.faits.append(Prevu(partner.partner_id, methode, champs, cloture))

    for i in range(n + 1):
        lycee, ml = lycees[i % len(lycees)], mls[i % len(mls)]
        champs, _ = inscription(rng, lycee.identifiant, RENTREE, TODAY)
        champs.update(diplome="CAP", session_examen=RENTREE.year, en_emploi=False, en_formation=False,
                      date_fin_prevue=champs["date_debut"] + timedelta(days=100))
        cle, d0 = champs["ine"], champs["date_debut"]
        if i == n:  # the ineligible one, and its accueil
            champs.update(diplome="BTS", specialite="Management")
            ajoute(lycee, "eleve_inscrit", **champs)
            c.refus["ELIGIBILITE_DIPLOME"] += 1
            if orphelins:
                ajoute(ml, "accueil_realise", cle=cle, conseiller="cons-1", date=d0 + timedelta(days=2))
                c.refus["ORPHELIN"] += 1
            break
        ajoute(lycee, "eleve_inscrit", **champs)
        c.entrees += 1
        c.par_lycee[lycee.identifiant] += 1
        ajoute(lycee, "activite_lycee_realisee", cle=cle, activite="CONSOLIDATION_ACQUIS", date=d0 + timedelta(days=3))
        if i % 2 == 0:
            c.jours_pfmp[lycee.identifiant] += 10
            ajoute(lycee, "pfmp_debutee", cle=cle, periode_id="pfmp-1", siret=SIRET_ENTREPRISE,
                   date_debut=d0 + timedelta(days=10), date_fin_prevue=d0 + timedelta(days=19))
        ajoute(ml, "accueil_realise", cle=cle, conseiller=f"cons-{i % 3}", date=d0 + timedelta(days=2))
        ajoute(ml, "activite_realisee", cle=cle, activite="MOBILISATION", date=d0 + timedelta(days=5))
        if i % 3 == 0:
            c.jours_pfmp[lycee.identifiant] += 5
            ajoute(ml, "stage_debute", cle=cle, periode_id="stage-1", nature="STAGE", siret=SIRET_ENTREPRISE,
                   date_debut=d0 + timedelta(days=30), date_fin_prevue=d0 + timedelta(days=34))
        foq = reseaux[academie(lycee.identifiant)]  # the network of the lycée's académie
        ajoute(foq, "positionnement_realise", cle=cle, date=d0 + timedelta(days=4))
        if i % 2 == 1:
            ajoute(foq, "solution_proposee", cle=cle, solution_id="sol-1", solution="REMOBILISATION",
                   date=d0 + timedelta(days=6))
        if i % 4 == 0:
            issue = ISSUES[(i // 4) % len(ISSUES)]
            ajoute(ml, "bilan_realise", cloture=True, cle=cle, date=d0 + timedelta(days=40), issue=issue)
            c.issues[issue] += 1
    if orphelins:
        ajoute(reseaux["ac-paris"], "positionnement_realise",
               cle=inscription(rng, lycees[0].identifiant, RENTREE, TODAY)[0]["ine"], date=TODAY)
        c.refus["ORPHELIN"] += 1
    return c


def melanger(faits: list[Prevu], seed: int) -> list[Prevu]:
    """The partners interleaved at random, each partner's own order kept (closures included)."""
    rng = random.Random(seed)
    flux: dict[str, list[Prevu]] = {}
    for f in faits:
        flux.setdefault(f.partner_id.split(":")[0], []).append(f)
    ordre = []
    while any(flux.values()):
        ordre.append(flux[rng.choice([p for p, fs in flux.items() if fs])].pop(0))
    return ordre


def envoyer(faits: list[Prevu], producteurs: dict) -> None:
    """Send each fact with its partner's SDK producer (``producteurs``: partner id -> producer)."""
    for f in faits:
        getattr(producteurs[f.partner_id], f.methode)(**f.champs)
