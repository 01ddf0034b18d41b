"""The mission locale's facts (accueil, PACEA, activities, stages, bilan, correction) and
Foquale / MLDS's (positionnement, solutions)."""
from __future__ import annotations

from ambition.parcours import regles
from ambition.parcours.aggregate import Parcours
from ambition.parcours.erreurs import IDENTIFIANT_INVALIDE, Refus
from ambition.parcours.faits import Fait
from ambition.parcours.identifiants import siret_valide
from ambition.parcours.verifications import (
    commun, dans_le_parcours, exiger, fin_de_periode, periode_entreprise,
)

ISSUES = ("FORMATION", "EMPLOI", "PARCOURS_INSERTION")
ACTIVITES_ML = ("MOBILISATION", "BILAN_COMPETENCES", "ATELIER_TRE",
                "COMPETENCES_PSYCHOSOCIALES", "ATELIER_ORIENTATION")
SOLUTIONS = ("REPARATION_EXAMEN", "REMOBILISATION", "REMEDIATION", "SOLUTION_FOQUALE",
             "SERVICE_CIVIQUE_ALTERNE")


def accueil(p: Parcours, fait: Fait) -> None:
    """Any mission locale may welcome the young person; then it alone speaks for the parcours
    (a later accueil by the same one reassigns the counsellor)."""
    f = fait.payload
    if not siret_valide(f["siret"]):
        raise Refus(IDENTIFIANT_INVALIDE, f"mission locale SIRET {f['siret']!r} is not valid")
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
    exiger(jour >= p.pacea_signe_le, f"PACEA ends ({jour}) before its signature")
    dans_le_parcours(p, "PACEA end", jour)
    p.pacea_termine(**commun(fait), date_fin=jour)


def activite_ml(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["activite"] in ACTIVITES_ML, f"unknown mission-locale activity {f['activite']!r}")
    dans_le_parcours(p, f"activity {f['activite']}", f["date"])
    p.activite_ml_realisee(**commun(fait), activite=f["activite"], date=f["date"])


def stage_debute(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["nature"] in ("STAGE", "IMMERSION"), f"unknown stage nature {f['nature']!r}")
    periode_entreprise(p, fait, f["nature"])
    p.stage_debute(**commun(fait), periode_id=f["periode_id"], nature=f["nature"],
                   siret=f["siret"], date_debut=f["date_debut"],
                   date_fin_prevue=f["date_fin_prevue"])


def stage_termine(p: Parcours, fait: Fait) -> None:
    fin_de_periode(p, fait, ("STAGE", "IMMERSION"))
    p.stage_termine(**commun(fait), periode_id=fait.payload["periode_id"],
                    date_fin=fait.payload["date_fin"])


def bilan(p: Parcours, fait: Fait) -> None:
    """The tripartite bilan closes the parcours with its outcome (ISSUE_UNIQUE)."""
    f = fait.payload
    exiger(f["issue"] in ISSUES, f"unknown outcome {f['issue']!r}")
    exiger(f["date"] >= p.date_debut, f"bilan dated {f['date']} is before the start")
    regles.bilan_tripartite(f["participants"])
    p.bilan_realise(**commun(fait), date=f["date"], participants=list(f["participants"]),
                    issue=f["issue"], detail=f.get("detail"))
    p.parcours_clos(origine_event_id=fait.event_id, emetteur=fait.emetteur.partner_id,
                    numero=p.numero, issue=f["issue"], date=f["date"])


def issue_corrigee(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["issue"] in ISSUES, f"unknown outcome {f['issue']!r}")
    exiger(f["date"] >= p.date_cloture, f"correction dated {f['date']} is before the closure")
    p.issue_corrigee(**commun(fait), date=f["date"], issue=f["issue"], motif=f["motif"])


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
    "IssueCorrigee": issue_corrigee,
    "PositionnementRealise": positionnement,
    "SolutionProposee": solution_proposee,
    "SolutionDemarree": solution_demarree,
}
