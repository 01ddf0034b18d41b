"""The simulated stories keep the arrêté's rules the platform enforces, so that the only refusals
are the deliberate ones; the sending order puts each week's closures after its other facts."""
from __future__ import annotations

import random
from datetime import date, timedelta

from ambition.contracts.partners import DEMO, Credentials
from ambition.simulation.cohorte import ordre_d_envoi, par_semaine
from ambition.simulation.histoires import Fait, histoire
from ambition.simulation.verite import verite

RENTREE, HORIZON = date(2026, 9, 1), date(2026, 12, 20)
CREDS = {i: Credentials(f"{ {'LYCEE': 'lycee', 'MISSION_LOCALE': 'ml', 'FOQUALE': 'foquale'}[t]}:{i}", t, i, "")
         for t, i in DEMO}


def cohorte(n=400, seed=1):
    rng = random.Random(seed)
    lycees = [c for c in CREDS.values() if c.type == "LYCEE"]
    mls = [c for c in CREDS.values() if c.type == "MISSION_LOCALE"]
    out = []
    for i in range(n):
        lycee = lycees[i % len(lycees)]
        foq = {"075": CREDS["ac-paris"], "069": CREDS["ac-lyon"]}.get(lycee.identifiant[:3])
        out.append(histoire(rng, lycee, mls[i % len(mls)], foq, RENTREE, HORIZON, lambda ine: ine.lower()))
    return out


def test_every_story_keeps_the_rules_the_platform_checks():
    for h in cohorte():
        acceptes = [f for f in h.faits if not f.refus]
        assert all(f.jour <= HORIZON for f in h.faits)  # never after the declaration day
        if not h.entre:
            assert len(h.faits) == 1 and h.faits[0].refus.startswith("ELIGIBILITE")
            continue
        debut = h.debut
        assert RENTREE <= debut < date(2027, 1, 1)  # DEBUT_RENTREE
        assert all(f.jour <= debut + timedelta(days=120) for f in h.faits)  # DUREE_MAX_4_MOIS
        ml = [f for f in acceptes if f.partner_id.startswith("ml:")]
        if ml:  # ACCUEIL_ML_AVANT_ACTIVITE: the accueil first, by date and by order
            assert ml[0].methode == "accueil_realise" and all(f.jour >= ml[0].jour for f in ml)
        foq = [f for f in h.faits if f.partner_id.startswith("foquale:")]
        assert not foq or h.uai[:3] in ("075", "069")  # only the académie's network
        if h.cloture:  # ISSUE_UNIQUE: the closure is the last accepted fact, dated last
            assert acceptes[-1].methode in ("bilan_realise", "abandon_declare")
            assert all(f.jour <= h.cloture for f in acceptes)
        periodes = [(f.champs["date_debut"], f.champs["date_fin_prevue"]) for f in acceptes
                    if f.methode in ("pfmp_debutee", "stage_debute")]
        assert len(periodes) < 2 or periodes[0][1] < periodes[1][0]  # STAGE_SANS_CHEVAUCHEMENT
        jours = sum((b - a).days + 1 for a, b in periodes)
        assert jours <= 2 / 3 * (h.faits[0].champs["date_fin_prevue"] - debut).days  # PFMP_DEUX_TIERS


def test_the_cohort_has_every_kind_of_fact_and_outcome():
    histoires = cohorte()
    methodes = {f.methode for h in histoires for f in h.faits}
    assert methodes >= {"eleve_inscrit", "accueil_realise", "activite_lycee_realisee", "activite_realisee",
                        "pacea_signe", "pfmp_debutee", "pfmp_terminee", "stage_debute", "stage_termine",
                        "positionnement_realise", "solution_proposee", "solution_demarree",
                        "abandon_declare", "bilan_realise"}
    v = verite(histoires)
    assert set(v["issues"]) == {"ABANDON", "FORMATION", "EMPLOI", "PARCOURS_INSERTION"}
    assert {"ELIGIBILITE_DIPLOME", "ELIGIBILITE_SESSION", "ELIGIBILITE_SITUATION"} <= set(v["refus"])
    assert 0.05 < 1 - v["entrees"] / 400 < 0.15  # about 10 % ineligible


def test_each_weeks_closures_are_sent_after_its_other_facts():
    j = date(2026, 9, 1)
    f = lambda jour, m="activite_realisee", refus=None: Fait(j + timedelta(days=jour), "ml:1", m, {}, refus)  # noqa: E731
    faits = [f(0), f(2, "bilan_realise"), f(3), f(8), f(9, "abandon_declare"), f(10, refus="ISSUE_UNIQUE"), f(1)]
    lots = par_semaine(faits)
    assert [[x.jour.day - 1 for x in lot] for lot in lots] == [[0, 3], [2], [8, 1], [9, 10]]


def test_sending_order_keeps_every_fact_and_duplicates_a_few():
    histoires = cohorte(200, seed=3)
    faits = [f for h in histoires for f in h.faits]
    ordre = ordre_d_envoi(histoires, random.Random(5))
    ids = [f.champs["event_id"] for f in ordre]
    assert set(ids) == {f.champs["event_id"] for f in faits}
    assert 0 < len(ids) - len(set(ids)) < 0.05 * len(faits)  # about 2 % sent twice
