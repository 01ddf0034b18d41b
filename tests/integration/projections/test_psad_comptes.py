"""The counts the PSAD projection keeps with its rows (`psad.contributions`) give the synthesis
the rows give, on SQLite and PostgreSQL read stores, for a random cohort whose rows change
state as events arrive: closures, outcome and planned-end corrections, moves to another
mission locale, re-entries at a lycée of another territory, PACEA ended across parcours.

The events are domain-event records as the journal hands them to the projections, applied by
the live worker's `appliquer` in pages of random sizes (so a page holds several events of one
élève, or one event of an élève already written). Then the counts are counted anew from the
rows, as the bulk rebuild does (`psad.recompter`): the same tables.
"""
from __future__ import annotations

import random
from datetime import date, timedelta

import pytest
from aide_vues import contenu

from ambition_projections import generations, psad
from ambition_projections.runner import appliquer

pytestmark = pytest.mark.integration

RENTREE, HORIZON = date(2024, 9, 2), date(2025, 2, 15)
#: lycées of three territories (ac-paris, ac-lyon, ac-aix-marseille)
LYCEES = ("0753268V", "0750650Z", "0690026D", "0691234A", "0130001B")
MLS = ("12345678901237", "44000000000008", "13002526500013")
ISSUES = ("FORMATION", "EMPLOI", "PARCOURS_INSERTION", "ABANDON")


def _cohorte(rng: random.Random, n: int) -> list[dict]:
    """Records of `n` élèves, one or two parcours each, every record dated on or before
    HORIZON; in the order of their versions per élève, the élèves interleaved."""
    histoires = []
    for i in range(n):
        pid, version, evs = f"00000000-0000-4000-8000-{i:012d}", 0, []

        def ev(name, numero, uai, **champs):
            nonlocal version
            version += 1
            evs.append({"envelope": {"type": f"fr.ambition.parcours.{name}", "subject": f"s{i}"},
                        "parcours": {"parcours_id": pid, "numero": numero, "version": version, "uai": uai,
                                     "emetteur": f"lycee:{uai}"}, **champs})

        debut = RENTREE + timedelta(days=rng.randrange(60))
        parcours = 2 if rng.random() < 0.3 else 1
        for numero in range(1, parcours + 1):
            uai = rng.choice(LYCEES)
            fin_prevue = debut + timedelta(days=rng.choice((60, 90, 121)))
            ev("EleveInscrit", numero, uai, date_debut=debut, date_fin_prevue=fin_prevue, referent="r",
               diplome="BAC_PRO", boursier=rng.random() < 0.3, interne=False, fonds_sociaux=False)
            jour = debut

            def plus_tard(jusqu_a: int = 20) -> date:
                return min(HORIZON, jour + timedelta(days=rng.randrange(1, jusqu_a)))

            ml = None
            for _ in range(rng.randrange(7)):
                jour = plus_tard()
                quoi = rng.random()
                if quoi < 0.25:
                    ml = rng.choice(MLS)
                    ev("AccueilRealise", numero, uai, siret=ml, conseiller="c", date=jour)
                elif quoi < 0.35 and ml:  # a move to another mission locale
                    ml = rng.choice([m for m in MLS if m != ml])
                    ev("MissionLocaleChangee", numero, uai, siret=ml, date=jour)
                elif quoi < 0.55:
                    ev(rng.choice(("ActiviteLyceeRealisee", "ActiviteMissionLocaleRealisee")), numero, uai,
                       date=jour)
                elif quoi < 0.65:
                    ev("PfmpDebutee", numero, uai, periode_id="p", siret="75000000000000", date_debut=jour,
                       date_fin_prevue=jour + timedelta(days=14))
                elif quoi < 0.72:
                    ev("SolutionDemarree", numero, uai, solution_id="s", date=jour)
                elif quoi < 0.8:
                    ev("PaceaSigne", numero, uai, date_signature=jour)
                elif quoi < 0.85:
                    ev("PaceaTermine", numero, uai, date_fin=jour)
                else:  # the planned end corrected: the alert of the end moves
                    ev("InscriptionCorrigee", numero, uai, referent="r2", boursier=True, interne=False,
                       fonds_sociaux=False, date_fin_prevue=debut + timedelta(days=rng.choice((45, 75, 121))))
            if numero < parcours or rng.random() < 0.5:  # closed (before a re-entry, always)
                jour = plus_tard(40)
                ev("ParcoursClos", numero, uai, issue=rng.choice(ISSUES), date=jour, droits_jusqu_au=jour,
                   statut_scolaire_conserve=False, statut_structure_accueil=False,
                   depassement_deux_tiers=rng.random() < 0.2, periodes_terminees=["lycee:" + uai + "/p"])
                if rng.random() < 0.3:  # the outcome corrected
                    ev("IssueCorrigee", numero, uai, issue=rng.choice(ISSUES), statut_scolaire_conserve=True,
                       statut_structure_accueil=False)
                debut = min(HORIZON, jour + timedelta(days=rng.randrange(1, 30)))
        histoires.append(evs)
    records = []
    while histoires:  # interleaved: a random élève's next event
        evs = rng.choice(histoires)
        records.append(evs.pop(0))
        if not evs:
            histoires.remove(evs)
    return records


def _syntheses(conn, t, comptes: bool) -> list[dict]:
    jours = [RENTREE + timedelta(days=k) for k in range(-3, (HORIZON - RENTREE).days + 60, 9)]
    jours += [date(2024, 12, 31), date(2025, 1, 1), date(2025, 1, 31), date(2025, 2, 1)]
    return [psad.synthese(conn, t, jour, territoire_, comptes=comptes)
            for jour in jours for territoire_ in (None, "ac-paris", "ac-lyon", "ac-aix-marseille")]


def _comptes(engine) -> dict:
    return {k: v for k, v in contenu(engine, psad.NAME).items() if k in ("comptes", "histogrammes", "risque")}


def test_the_counts_give_the_synthesis_of_the_rows_as_rows_change(engine):
    rng = random.Random(20241)
    records = _cohorte(rng, 150)
    with engine.begin() as conn:
        gen = generations.verrouiller(conn)[psad.NAME]
    t = generations.tables(psad, gen)
    fait, checks = 0, 0
    while fait < len(records):  # pages of the worker, each its own transaction
        taille = rng.choice((1, 3, 17, 60))
        with engine.begin() as conn:
            appliquer(conn, records[fait:fait + taille], {psad.NAME: gen})
        fait += taille
        if fait > len(records) // 2 and checks == 0 or fait >= len(records):  # halfway and at the end
            checks += 1
            with engine.connect() as conn:
                par_comptes, par_lignes = _syntheses(conn, t, True), _syntheses(conn, t, False)
            assert par_comptes == par_lignes
    # the cohort is not trivial: rows re-entered elsewhere, moved, closed, at risk, evaluated
    # from their facts for the days before their latest fact
    with engine.connect() as conn:
        national = psad.synthese(conn, t, date(2024, 11, 15))
        rows = conn.execute(t.parcours.select()).mappings().all()
    assert len(rows) > 150 and national["jeunes_a_risque"] > 10 and len(national["par_mission_locale"]) == 3
    assert sum(1 for r in rows if r["numero"] == 2) > 10 and sum(1 for r in rows if r["etat"] == "CLOS") > 50
    assert len(national["issues"]) == 4 and national["duree_mediane_jours"]
    # the counts the rows give anew (the rebuild's) are those the deltas left
    live = _comptes(engine)
    assert live["risque"] and live["comptes"]
    with engine.begin() as conn:
        psad.recompter(conn, t)
    assert _comptes(engine) == live


def test_counts_created_beside_existing_rows_are_filled_at_start(engine):
    """A read store of an earlier version: rows, no counts. Starting a process counts them."""
    from ambition_projections.runner import create_tables

    records = _cohorte(random.Random(7), 30)
    with engine.begin() as conn:
        gen = generations.verrouiller(conn)[psad.NAME]
        appliquer(conn, records, {psad.NAME: gen})
    t = generations.tables(psad, gen)
    attendu = _comptes(engine)
    with engine.begin() as conn:
        for table in (t.comptes, t.histogrammes, t.risque):
            conn.execute(table.delete())
    create_tables(engine)
    assert _comptes(engine) == attendu and attendu["comptes"]
