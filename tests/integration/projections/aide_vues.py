"""Helpers of the read-view tests: a scenario of partner facts, the domain events it yields, views' content."""
from __future__ import annotations

from datetime import date, timedelta

from ambition.parcours.exemples import fait
from ambition.parcours.faits import ACCEPTE, FOQUALE, LYCEE, MISSION_LOCALE, Emetteur
from ambition_projections.journal import Journal
from ambition_projections.rebuild import evenements

UAI_PARIS, UAI_LYON, UAI_PARIS_2 = "0753268V", "0690026D", "0750650Z"
ML_A, ML_B = "12345678901237", "44000000000008"


def lycee(uai: str) -> Emetteur:
    return Emetteur(LYCEE, uai, f"lycee:{uai}")


def ml(siret: str) -> Emetteur:
    return Emetteur(MISSION_LOCALE, siret, f"ml:{siret}")


FOQ = Emetteur(FOQUALE, "ac-paris", "foquale:ac-paris")


def foq(uai: str) -> Emetteur:
    """The Foquale/MLDS network of the lycée's académie (the only one that may act)."""
    code = "ac-lyon" if uai == UAI_LYON else "ac-paris"
    return Emetteur(FOQUALE, code, f"foquale:{code}")


def scenario(n: int = 12) -> list:
    """Facts of `n` élèves over three lycées and two missions locales: accueils, activities,
    PFMP, stages, PACEA, Foquale solutions, bilans, a withdrawal, a correction."""
    facts = []
    for i in range(n):
        cle = f"{i:032x}"
        uai = (UAI_PARIS, UAI_LYON, UAI_PARIS_2)[i % 3]
        siret = (ML_A, ML_B)[i % 2]
        debut = date(2024, 9, 2) + timedelta(days=i % 5)
        facts.append(fait("EleveInscrit", cle=cle, emetteur=lycee(uai), uai=uai, ine=f"{i:010d}A",
                          nom=f"Nom{i}", prenom=f"Prenom{i}", date_debut=debut,
                          accompagnement_handicap=(i == 0)))
        if i % 4 == 3:  # never welcomed: an alert
            continue
        facts.append(fait("AccueilRealise", cle=cle, emetteur=ml(siret), siret=siret,
                          conseiller=f"cons-{i % 3}", date=debut + timedelta(days=3)))
        facts.append(fait("ActiviteMissionLocaleRealisee", cle=cle, emetteur=ml(siret),
                          date=debut + timedelta(days=10)))
        facts.append(fait("ActiviteLyceeRealisee", cle=cle, emetteur=lycee(uai), date=debut + timedelta(days=12)))
        facts.append(fait("PfmpDebutee", cle=cle, emetteur=lycee(uai)))
        if i % 2:
            facts.append(fait("PfmpTerminee", cle=cle, emetteur=lycee(uai), date_fin=date(2024, 10, 20)))
        if i % 3 == 0:
            facts.append(fait("PaceaSigne", cle=cle, emetteur=ml(siret)))
            facts.append(fait("StageDebute", cle=cle, emetteur=ml(siret)))
        if i % 3 == 1:
            facts.append(fait("SolutionProposee", cle=cle, emetteur=foq(uai), solution_id=f"s{i}"))
            facts.append(fait("SolutionDemarree", cle=cle, emetteur=foq(uai), solution_id=f"s{i}"))
        if i % 6 == 2:
            facts.append(fait("SolutionProposee", cle=cle, emetteur=foq(uai), solution_id=f"s{i}"))
        if i % 5 == 0:
            facts.append(fait("BilanRealise", cle=cle, emetteur=ml(siret),
                              issue=("FORMATION", "EMPLOI", "PARCOURS_INSERTION")[i % 3]))
        if i == 9:
            facts.append(fait("AbandonDeclare", cle=cle, emetteur=lycee(uai)))
    return facts


def charger(app, facts) -> None:
    resultats = app.traiter_lot(facts)
    refused = [(f.type, r) for f, r in zip(facts, resultats) if r.statut != ACCEPTE]
    assert not refused, refused


def records_of(app, registry) -> list[dict]:
    """Every domain event of the store, as the projections receive them from Kafka."""
    return [r for _, page in evenements(Journal(app, registry), 1) for r in page]


def projeter(engine, records, taille: int = 7) -> None:
    """What the worker does: batches, each in one transaction with the generation pointers locked."""
    from ambition_projections import generations
    from ambition_projections.runner import appliquer

    for i in range(0, len(records), taille):
        with engine.begin() as conn:
            appliquer(conn, records[i:i + taille], generations.verrouiller(conn))


def contenu(engine, nom: str, gen: int | None = None) -> dict[str, list]:
    """Every row of a projection's tables (tracking included) at a generation (default: current)."""
    from sqlalchemy import select

    from ambition_projections import generations
    from ambition_projections.runner import VUES

    with engine.connect() as conn:
        gen = gen or generations.courantes(conn)[nom]
        t = generations.tables(VUES[nom], gen)
        out = {}
        for key, table in vars(t).items():
            if key == "metadata":
                continue
            rows = [tuple(repr(v) for v in r) for r in conn.execute(select(table))]
            out[key] = sorted(rows)
    return out


def tout(engine) -> dict:
    from ambition_projections.runner import VUES

    return {nom: contenu(engine, nom) for nom in VUES}
