"""A small fixed cohort whose figures were computed by hand (see each test's docstring).

Six parcours, school year 2024 (rentrée 2024-09-02), read at AS_OF = 2024-11-30:

| | lycée (territory) | start | planned end | mission locale, counsellor | what happens | at AS_OF |
|---|---|---|---|---|---|---|
| A | 0753268V (ac-paris) | 09-02 | 12-31 | ML_A 09-05, cons-a1 | PFMP 10-01..10-31; bilan FORMATION 11-29 | closed 11-29 |
| B | 0753268V (ac-paris) | 09-09 | 12-31 | ML_A 09-12, cons-a2 | withdrawal 10-09 | closed 10-09, ABANDON |
| C | 0750650Z (ac-paris) | 09-02 | 12-31 | ML_B 09-04, cons-b1 | Foquale solution c1 proposed 09-16, started 09-23; ML activity 11-20 | open |
| D | 0750650Z (ac-paris) | 10-01 | 2025-01-31 | none | nothing | open |
| E | 0690026D (ac-lyon) | 09-16 | 12-31 | ML_B 09-17, cons-b1 | bilan EMPLOI 10-15 | closed 10-15 |
| F | 0753268V (ac-paris) | 09-02 | 12-10 | ML_A 09-05, cons-a1 | Foquale solution f1 proposed 11-25 (not started) | open |
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, time, timezone

from aide_vues import FOQ, ML_A, ML_B, UAI_LYON, UAI_PARIS, UAI_PARIS_2, charger, lycee, ml

from ambition.parcours.exemples import fait
from ambition.parcours.faits import FOQUALE, Emetteur

AS_OF = date(2024, 11, 30)
FOQ_LYON = Emetteur(FOQUALE, "ac-lyon", "foquale:ac-lyon")
CLES = {nom: f"{i + 0xA0:032x}" for i, nom in enumerate("ABCDEF")}
UAI_DE = {"A": UAI_PARIS, "B": UAI_PARIS, "C": UAI_PARIS_2, "D": UAI_PARIS_2, "E": UAI_LYON, "F": UAI_PARIS}
ML_DE = {"A": ML_A, "B": ML_A, "C": ML_B, "D": None, "E": ML_B, "F": ML_A}


def _f(type_: str, qui: str, emetteur, jour: date, **champs):
    """A fact declared the evening of its own date (the partner declares what already happened)."""
    f = fait(type_, cle=CLES[qui], emetteur=emetteur, **champs)
    return dataclasses.replace(f, time=datetime.combine(jour, time(18), timezone.utc))


def faits() -> list:
    out = []

    def inscrit(nom, debut, fin, i):
        uai = UAI_DE[nom]
        out.append(_f("EleveInscrit", nom, lycee(uai), debut, uai=uai, ine=f"{i:010d}C",
                      nom=f"Nom{nom}", prenom=f"Prenom{nom}", date_debut=debut, date_fin_prevue=fin,
                      accompagnement_handicap=(nom == "A")))

    def accueil(nom, jour, conseiller):
        out.append(_f("AccueilRealise", nom, ml(ML_DE[nom]), jour, siret=ML_DE[nom],
                      conseiller=conseiller, date=jour))

    def bilan(nom, jour, issue):
        out.append(_f("BilanRealise", nom, ml(ML_DE[nom]), jour, date=jour, issue=issue))

    inscrit("A", date(2024, 9, 2), date(2024, 12, 31), 1)
    accueil("A", date(2024, 9, 5), "cons-a1")
    out.append(_f("PfmpDebutee", "A", lycee(UAI_PARIS), date(2024, 10, 1), periode_id="pfmp-1",
                  date_debut=date(2024, 10, 1), date_fin_prevue=date(2024, 10, 31)))
    out.append(_f("PfmpTerminee", "A", lycee(UAI_PARIS), date(2024, 10, 31), periode_id="pfmp-1",
                  date_fin=date(2024, 10, 31)))
    bilan("A", date(2024, 11, 29), "FORMATION")

    inscrit("B", date(2024, 9, 9), date(2024, 12, 31), 2)
    accueil("B", date(2024, 9, 12), "cons-a2")
    out.append(_f("AbandonDeclare", "B", lycee(UAI_PARIS), date(2024, 10, 9), date=date(2024, 10, 9)))

    inscrit("C", date(2024, 9, 2), date(2024, 12, 31), 3)
    accueil("C", date(2024, 9, 4), "cons-b1")
    out.append(_f("SolutionProposee", "C", FOQ, date(2024, 9, 16), solution_id="c1", date=date(2024, 9, 16)))
    out.append(_f("SolutionDemarree", "C", FOQ, date(2024, 9, 23), solution_id="c1", date=date(2024, 9, 23)))
    out.append(_f("ActiviteMissionLocaleRealisee", "C", ml(ML_B), date(2024, 11, 20), date=date(2024, 11, 20)))

    inscrit("D", date(2024, 10, 1), date(2025, 1, 31), 4)

    inscrit("E", date(2024, 9, 16), date(2024, 12, 31), 5)
    accueil("E", date(2024, 9, 17), "cons-b1")
    bilan("E", date(2024, 10, 15), "EMPLOI")

    inscrit("F", date(2024, 9, 2), date(2024, 12, 10), 6)
    accueil("F", date(2024, 9, 5), "cons-a1")
    out.append(_f("SolutionProposee", "F", FOQ, date(2024, 11, 25), solution_id="f1", date=date(2024, 11, 25)))
    return out


def charger_cohorte(app) -> dict[str, str]:
    """Decide the cohort (every fact must be accepted); returns {name: parcours_id}."""
    charger(app, faits())
    return {nom: str(app.parcours(cle).id) for nom, cle in CLES.items()}

