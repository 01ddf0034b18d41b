"""The mission locale's facts (accueil, PACEA, activities, stages, bilan) and Foquale / MLDS's
(positionnement, solutions)."""
from __future__ import annotations

from ambition.parcours import regles, regles_temps
from ambition.parcours.aggregate import Parcours
from ambition.parcours.droits import ISSUES_BILAN
from ambition.parcours.faits import Fait
from ambition.parcours.identifiants import siret_valide
from ambition.parcours.verifications import (
    clore, commun, dans_le_parcours, exiger, fin_de_periode, periode_entreprise,
    verifier_cloture,
)

ACTIVITES_ML = ("MOBILISATION", "BILAN_COMPETENCES", "ATELIER_TRE",
                "COMPETENCES_PSYCHOSOCIALES", "ATELIER_ORIENTATION")
SOLUTIONS = ("REPARATION_EXAMEN", "REMOBILISATION", "REMEDIATION", "SOLUTION_FOQUALE",
             "SERVICE_CIVIQUE_ALTERNE")


def accueil(p: Parcours, fait: Fait) -> None:
    """Any mission locale may welcome the young person; then it alone speaks for the parcours
    (a later accueil by the same one reassigns the counsellor). After a move, only the mission
    locale the lycée named."""
    f = fait.payload
    regles.siret_valide("mission locale", f["siret"], siret_valide(f["siret"]))
    regles.emetteur_concerne("AccueilRealise", f["siret"], fait.emetteur.identifiant,
                             "mission locale (payload siret)")
    if p.mission_locale is not None:
        regles.emetteur_concerne("AccueilRealise", p.mission_locale, f["siret"], "mission locale")
    dans_le_parcours(p, "accueil", f["date"])
    p.accueil_realise(**commun(fait), siret=f["siret"], conseiller=f["conseiller"], date=f["date"])


def pacea_signe(p: Parcours, fait: Fait) -> None:
    jour = fait.payload["date_signature"]
    dans_le_parcours(p, "PACEA signature", jour)
    regles.pacea_unique(p.pacea_en_cours)
    regles.pacea_age(jour, p.pacea_possible_du, p.pacea_possible_au)
    p.pacea_signe(**commun(fait), date_signature=jour)


def pacea_termine(p: Parcours, fait: Fait) -> None:
    jour = fait.payload["date_fin"]
    exiger(p.pacea_en_cours, "no PACEA in progress")
    regles.emetteur_concerne("PaceaTermine", p.pacea_emetteur or "", fait.emetteur.partner_id,
                             "PACEA's mission locale")
    regles_temps.fin_apres_debut("the PACEA", p.pacea_signe_le, jour)
    p.pacea_termine(**commun(fait), date_fin=jour)


def activite_ml(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["activite"] in ACTIVITES_ML, f"unknown mission-locale activity {f['activite']!r}")
    dans_le_parcours(p, f"activity {f['activite']}", f["date"])
    p.activite_ml_realisee(**commun(fait), activite=f["activite"], date=f["date"])


def stage_debute(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["nature"] in ("STAGE", "IMMERSION"), f"unknown stage nature {f['nature']!r}")
    jours = periode_entreprise(p, fait, f["nature"])
    p.stage_debute(**commun(fait), periode_id=f["periode_id"], nature=f["nature"],
                   siret=f["siret"], date_debut=f["date_debut"],
                   date_fin_prevue=f["date_fin_prevue"], jours_en_entreprise=jours)


def stage_termine(p: Parcours, fait: Fait) -> None:
    jours = fin_de_periode(p, fait, ("STAGE", "IMMERSION"))
    p.stage_termine(**commun(fait), periode_id=fait.payload["periode_id"],
                    date_fin=fait.payload["date_fin"], jours_en_entreprise=jours)


def bilan(p: Parcours, fait: Fait) -> None:
    """The tripartite bilan closes the parcours with its outcome (ISSUE_UNIQUE)."""
    f = fait.payload
    exiger(f["issue"] in ISSUES_BILAN, f"unknown outcome {f['issue']!r}")
    verifier_cloture(p, "bilan", f["date"])
    regles.bilan_tripartite(f["participants"])
    p.bilan_realise(**commun(fait), date=f["date"], participants=list(f["participants"]),
                    issue=f["issue"], detail=f.get("detail"))
    clore(p, fait, f["issue"], f["date"])


def positionnement(p: Parcours, fait: Fait) -> None:
    dans_le_parcours(p, "positionnement", fait.payload["date"])
    p.positionnement_realise(**commun(fait), date=fait.payload["date"])


def solution_proposee(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["solution"] in SOLUTIONS, f"unknown solution {f['solution']!r}")
    exiger(f["solution_id"] not in p.solutions, f"solution {f['solution_id']} already proposed")
    dans_le_parcours(p, f"solution {f['solution']}", f["date"])
    p.solution_proposee(**commun(fait), solution_id=f["solution_id"], solution=f["solution"],
                        date=f["date"])


def solution_demarree(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    solution = p.solutions.get(f["solution_id"])
    exiger(solution is not None, f"solution {f['solution_id']} was never proposed")
    exiger(solution["demarree_le"] is None, f"solution {f['solution_id']} already started")
    exiger(f["date"] >= solution["proposee_le"], "a solution starts after it is proposed")
    dans_le_parcours(p, f"start of solution {f['solution_id']}", f["date"])
    p.solution_demarree(**commun(fait), solution_id=f["solution_id"], date=f["date"])


DECISIONS = {
    "AccueilRealise": accueil,
    "PaceaSigne": pacea_signe,
    "PaceaTermine": pacea_termine,
    "ActiviteMissionLocaleRealisee": activite_ml,
    "StageDebute": stage_debute,
    "StageTermine": stage_termine,
    "BilanRealise": bilan,
    "PositionnementRealise": positionnement,
    "SolutionProposee": solution_proposee,
    "SolutionDemarree": solution_demarree,
}
