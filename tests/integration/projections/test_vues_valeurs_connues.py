"""Every actor's view of the fixed cohort (cohorte_connue.py), against figures computed by hand,
on SQLite and PostgreSQL read stores, through the HTTP API with each actor's token."""
from __future__ import annotations

import pytest
from aide_vues import ML_A, ML_B, UAI_LYON, UAI_PARIS, UAI_PARIS_2, projeter, records_of
from cohorte_connue import AS_OF, CLES, charger_cohorte
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons

pytestmark = pytest.mark.integration
ACTEURS = [f"lycee:{UAI_PARIS}", f"ml:{ML_A}", f"ml:{ML_B}", "foquale:ac-paris", "psad:national",
           "psad:ac-paris", "psad:ac-lyon"]
TOKENS = {a: f"jeton-{i}" for i, a in enumerate(ACTEURS)}
# the names of infra/etablissements.toml, the reference list shipped for the demo actors
NOMS = {UAI_LYON: "Lycée professionnel de la Croix-Rousse (Lyon)",
        UAI_PARIS: "Lycée professionnel des Métiers du commerce (Paris 11e)",
        UAI_PARIS_2: "Lycée professionnel Arts et techniques (Paris 15e)",
        ML_A: None, ML_B: None}  # these two missions locales are not in the list: no name


@pytest.fixture
def cohorte(parcours_app, registry, engine, settings):
    """The cohort decided by the parcours application and projected into the read store."""
    ids = charger_cohorte(parcours_app)
    projeter(engine, records_of(parcours_app, registry))
    api = TestClient(create_app(settings, Jetons(TOKENS)))

    def get(actor: str, path: str, **params) -> dict:
        r = api.get(path, headers={"Authorization": f"Bearer {TOKENS[actor]}"},
                    params={"as_of": AS_OF.isoformat(), **params})
        assert r.status_code == 200, r.text
        return r.json()
    return ids, get


@pytest.fixture
def parcours_app(settings):  # the cohort only (the shared conftest loads another scenario)
    from ambition.bootstrap import make_app

    return make_app(settings)


def test_psad_national_figures(cohorte):
    """Entries: A B C D E F = 6. Open: C D F = 3. Outcomes: A FORMATION, B ABANDON, E EMPLOI.
    With a solution (a Foquale solution started, or an outcome FORMATION / EMPLOI /
    PARCOURS_INSERTION): A (FORMATION), C (solution c1 started), E (EMPLOI) = 3 of 6 = 0.5; F's
    solution was only proposed, B withdrew. Durations of the closed parcours, first and last day
    both counted: A 09-02..11-29 = 29 + 31 + 29 = 89; B 09-09..10-09 = 22 + 9 = 31;
    E 09-16..10-15 = 15 + 15 = 30; median of (30, 31, 89) = 31. At risk on 11-30 (open, with an
    alert): D (no activity since entry 60 days ago, no accueil) and F (planned end 12-10, 10 days
    away) = 2; C had an activity on 11-20 and ends in 31 days. Entries by month of start:
    September A B C E F = 5, October D = 1."""
    _, get = cohorte
    s = get("psad:national", "/v1/psad/synthese")
    assert (s["territoire"], s["as_of"]) == ("national", "2024-11-30")
    assert (s["entrees"], s["parcours_ouverts"]) == (6, 3)
    assert s["issues"] == {"ABANDON": 1, "EMPLOI": 1, "FORMATION": 1}
    assert s["part_avec_solution"] == 0.5
    assert s["duree_mediane_jours"] == 31
    assert s["jeunes_a_risque"] == 2
    assert s["entrees_par_mois"] == {"2024-09": 5, "2024-10": 1}
    assert s["refus"] == {}


def test_psad_breakdown_by_lycee_and_mission_locale(cohorte):
    """By lycée: 0690026D has E (closed EMPLOI: with a solution); 0750650Z has C (open, solution
    started) and D (open, at risk): 1 of 2 = 0.5; 0753268V has A (FORMATION), B (ABANDON) and F
    (open, at risk): 1 of 3 = 0.333. By mission locale (D has none): ML_A has A, B, F: as the
    lycée 0753268V; ML_B has C and E: both with a solution, 1.0, C open, none at risk."""
    _, get = cohorte
    s = get("psad:national", "/v1/psad/synthese")
    assert s["par_lycee"] == [
        {"uai": UAI_LYON, "libelle": NOMS[UAI_LYON], "entrees": 1, "parcours_ouverts": 0, "issues": {"EMPLOI": 1},
         "part_avec_solution": 1.0, "jeunes_a_risque": 0},
        {"uai": UAI_PARIS_2, "libelle": NOMS[UAI_PARIS_2], "entrees": 2, "parcours_ouverts": 2, "issues": {},
         "part_avec_solution": 0.5, "jeunes_a_risque": 1},
        {"uai": UAI_PARIS, "libelle": NOMS[UAI_PARIS], "entrees": 3, "parcours_ouverts": 1, "issues": {"ABANDON": 1, "FORMATION": 1},
         "part_avec_solution": 0.333, "jeunes_a_risque": 1}]
    assert s["par_mission_locale"] == [
        {"mission_locale": ML_A, "libelle": NOMS[ML_A], "entrees": 3, "parcours_ouverts": 1, "issues": {"ABANDON": 1, "FORMATION": 1},
         "part_avec_solution": 0.333, "jeunes_a_risque": 1},
        {"mission_locale": ML_B, "libelle": NOMS[ML_B], "entrees": 2, "parcours_ouverts": 1, "issues": {"EMPLOI": 1},
         "part_avec_solution": 1.0, "jeunes_a_risque": 0}]


def test_psad_funnel_and_outcomes_by_month(cohorte):
    """Funnel: 6 entries; accueil A B C E F = 5 (D none); a PACEA or a started solution: C only
    (F's solution was only proposed, nobody signed a PACEA) = 1; an outcome of the bilan: A
    FORMATION and E EMPLOI = 2 (B's withdrawal is not one). Closures by month: B ABANDON on
    10-09 and E EMPLOI on 10-15 in October, A FORMATION on 11-29 in November."""
    _, get = cohorte
    s = get("psad:national", "/v1/psad/synthese")
    assert s["entonnoir"] == {"entrees": 6, "accueil": 5, "pacea_ou_solution": 1, "issue": 2}
    assert s["issues_par_mois"] == {"2024-10": {"ABANDON": 1, "EMPLOI": 1}, "2024-11": {"FORMATION": 1}}


def test_psad_filters_by_entry_date(cohorte):
    """Entries from 09-10 to 10-31: E (09-16) and D (10-01); A, C and F started 09-02 and B
    09-09. E closed EMPLOI; D is at risk on 11-30."""
    _, get = cohorte
    s = get("psad:national", "/v1/psad/synthese", du="2024-09-10", au="2024-10-31")
    assert (s["entrees"], s["parcours_ouverts"], s["issues"], s["jeunes_a_risque"]) == (2, 1, {"EMPLOI": 1}, 1)
    assert s["entrees_par_mois"] == {"2024-09": 1, "2024-10": 1}
    risque = get("psad:national", "/v1/psad/a-risque", du="2024-09-10", au="2024-10-31")
    assert risque["total"] == 1
    assert get("psad:national", "/v1/psad/synthese", au="2024-09-08")["entrees"] == 3


def test_psad_of_a_territory_sees_its_own_figures(cohorte):
    """ac-paris (lycées 075...): A B C D F: 5 entries, 3 open, A FORMATION and C started = 2 of 5
    = 0.4; durations A 89 and B 31: median (89 + 31) / 2 = 60; at risk D and F. ac-lyon: E only:
    1 entry, closed EMPLOI, 1.0, duration 30, none at risk."""
    _, get = cohorte
    paris = get("psad:ac-paris", "/v1/psad/synthese")
    assert (paris["territoire"], paris["entrees"], paris["parcours_ouverts"]) == ("ac-paris", 5, 3)
    assert paris["issues"] == {"ABANDON": 1, "FORMATION": 1}
    assert (paris["part_avec_solution"], paris["duree_mediane_jours"], paris["jeunes_a_risque"]) == (0.4, 60, 2)
    assert paris["entrees_par_mois"] == {"2024-09": 4, "2024-10": 1}
    lyon = get("psad:ac-lyon", "/v1/psad/synthese")
    assert (lyon["territoire"], lyon["entrees"], lyon["parcours_ouverts"], lyon["issues"]) == \
        ("ac-lyon", 1, 0, {"EMPLOI": 1})
    assert (lyon["part_avec_solution"], lyon["duree_mediane_jours"], lyon["jeunes_a_risque"]) == (1.0, 30, 0)
    national_filtered = get("psad:national", "/v1/psad/synthese", territoire="ac-lyon")
    assert national_filtered["entrees"] == 1 and national_filtered["duree_mediane_jours"] == 30


def test_psad_young_people_at_risk(cohorte):
    """At 11-30, ordered by start: F (started 09-02; days used 09-02..11-30 = 29 + 31 + 30 = 90;
    planned end 12-10 in 10 days) then D (started 10-01; 31 + 30 = 61 days; no activity for 60
    days, no accueil). The week before (11-23), F's only activity (11-25) had not happened:
    last activity was the accueil on 09-05, 79 days earlier, and the end was 17 days away; and A
    was still open (closed 11-29), its last activity the PFMP that ended 10-31, 23 days earlier."""
    ids, get = cohorte
    r = get("psad:ac-paris", "/v1/psad/a-risque")
    assert r["total"] == 2
    assert r["items"] == [
        {"parcours_id": ids["F"], "numero": 1, "uai": UAI_PARIS, "mission_locale": ML_A, "date_debut": "2024-09-02",
         "date_fin_prevue": "2024-12-10", "jours_utilises": 90, "alertes": ["FIN_SOUS_15J"]},
        {"parcours_id": ids["D"], "numero": 1, "uai": UAI_PARIS_2, "mission_locale": None, "date_debut": "2024-10-01",
         "date_fin_prevue": "2025-01-31", "jours_utilises": 61,
         "alertes": ["SANS_ACTIVITE_21J", "SANS_ACCUEIL_10J"]}]
    avant = get("psad:ac-paris", "/v1/psad/a-risque", as_of="2024-11-23")
    assert {i["parcours_id"]: i["alertes"] for i in avant["items"]} == {
        ids["A"]: ["SANS_ACTIVITE_21J"], ids["F"]: ["SANS_ACTIVITE_21J"],
        ids["D"]: ["SANS_ACTIVITE_21J", "SANS_ACCUEIL_10J"]}
    assert get("psad:ac-lyon", "/v1/psad/a-risque")["total"] == 0


def test_psad_young_people_at_risk_by_lycee_mission_locale_and_entry_date(cohorte):
    """At 11-30 F (lycée 0753268V, ML_A, started 09-02) and D (lycée 0750650Z, no mission
    locale, started 10-01) are at risk: F alone for its lycée, for ML_A and for the entries up to
    09-30; D alone for its lycée and for the entries from 10-01; none for ML_B (C and E are
    not at risk)."""
    ids, get = cohorte

    def qui(**filtre):
        r = get("psad:national", "/v1/psad/a-risque", **filtre)
        assert r["total"] == len(r["items"])
        return [i["parcours_id"] for i in r["items"]]
    assert qui(uai=UAI_PARIS) == [ids["F"]]
    assert qui(uai=UAI_PARIS_2) == [ids["D"]]
    assert qui(mission_locale=ML_A) == [ids["F"]]
    assert qui(mission_locale=ML_B) == []
    assert qui(au="2024-09-30") == [ids["F"]]
    assert qui(du="2024-10-01") == [ids["D"]]
    s = get("psad:national", "/v1/psad/synthese", mission_locale=ML_A)
    assert (s["entrees"], s["parcours_ouverts"], s["jeunes_a_risque"]) == (3, 1, 1)
    s = get("psad:national", "/v1/psad/synthese", uai=UAI_PARIS_2)
    assert (s["entrees"], s["parcours_ouverts"], s["jeunes_a_risque"]) == (2, 2, 1)
    s = get("psad:national", "/v1/psad/synthese", au="2024-09-30")
    assert (s["entrees"], s["parcours_ouverts"], s["jeunes_a_risque"]) == (5, 2, 1)


def test_psad_figures_of_an_empty_selection_and_the_two_thirds(cohorte):
    """No parcours spent over 2/3 of its actual duration in enterprise (A: a 31-day PFMP in 89
    days): 0. No entry from 2025-01-01: every count 0, no share, no median (not an error)."""
    _, get = cohorte
    assert get("psad:national", "/v1/psad/synthese")["depassements_deux_tiers"] == 0
    s = get("psad:national", "/v1/psad/synthese", du="2025-01-01")
    assert (s["entrees"], s["parcours_ouverts"], s["issues"], s["part_avec_solution"],
            s["duree_mediane_jours"], s["jeunes_a_risque"], s["entrees_par_mois"], s["par_lycee"],
            s["depassements_deux_tiers"]) == (0, 0, {}, None, None, 0, {}, [], 0)


def test_the_lycee_view(cohorte):
    """Lycée 0753268V at 11-30: A, B, F. A: closed 11-29, days used 09-02..11-29 = 89 of
    09-02..12-31 = 29 + 31 + 30 + 31 = 121; PFMP 10-01..10-31 = 31 days of an allowance of
    121 x 2/3 = 80.67: share 0.384. B: closed 10-09: 31 days used. F: open, 90 days used of
    09-02..12-10 = 100, no enterprise period, alert FIN_SOUS_15J, rights in force (boursier)."""
    ids, get = cohorte
    v = get(f"lycee:{UAI_PARIS}", f"/v1/lycees/{UAI_PARIS}/eleves")
    assert v["total"] == 3
    by = {i["parcours_id"]: i for i in v["items"]}
    assert set(by) == {ids["A"], ids["B"], ids["F"]}
    a, b, f = by[ids["A"]], by[ids["B"]], by[ids["F"]]
    assert (a["etat"], a["issue"], a["date_cloture"]) == ("CLOS", "FORMATION", "2024-11-29")
    assert (a["jours_utilises"], a["jours_total"], a["jours_pfmp"], a["part_pfmp_utilisee"]) == (89, 121, 31, 0.384)
    assert (a["mission_locale"], a["conseiller"], a["date_accueil"]) == (ML_A, "cons-a1", "2024-09-05")
    assert (a["nom"], a["prenom"]) == ("NomA", "PrenomA") and a["alertes"] == []
    assert (b["etat"], b["issue"], b["jours_utilises"], b["alertes"]) == ("CLOS", "ABANDON", 31, [])
    assert (f["etat"], f["jours_utilises"], f["jours_total"], f["jours_pfmp"], f["part_pfmp_utilisee"]) == \
        ("OUVERT", 90, 100, 0, 0.0)
    assert f["alertes"] == ["FIN_SOUS_15J"]
    assert f["droits"] == {"statut_scolaire": True, "bourse": True, "internat": False,
                           "fonds_sociaux": False, "accompagnement_handicap": False}


def test_the_mission_locale_views(cohorte):
    """ML_A: cons-a1 follows A (closed) and F (open), cons-a2 follows B (closed); no PACEA.
    ML_B: cons-b1 follows C (open) and E (closed). Bilans due at 11-30 (open, planned end within
    15 days or passed): ML_A has F (12-10); ML_B none (C ends 12-31)."""
    ids, get = cohorte
    assert get(f"ml:{ML_A}", f"/v1/missions-locales/{ML_A}/portefeuille")["conseillers"] == [
        {"conseiller": "cons-a1", "jeunes": 2, "ouverts": 1, "pacea_en_cours": 0},
        {"conseiller": "cons-a2", "jeunes": 1, "ouverts": 0, "pacea_en_cours": 0}]
    assert get(f"ml:{ML_B}", f"/v1/missions-locales/{ML_B}/portefeuille")["conseillers"] == [
        {"conseiller": "cons-b1", "jeunes": 2, "ouverts": 1, "pacea_en_cours": 0}]
    jeunes = get(f"ml:{ML_A}", f"/v1/missions-locales/{ML_A}/jeunes")
    assert jeunes["total"] == 3 and {j["parcours_id"] for j in jeunes["items"]} == {ids["A"], ids["B"], ids["F"]}
    dus = get(f"ml:{ML_A}", f"/v1/missions-locales/{ML_A}/bilans-dus")
    assert [j["parcours_id"] for j in dus["items"]] == [ids["F"]]
    assert get(f"ml:{ML_B}", f"/v1/missions-locales/{ML_B}/bilans-dus")["total"] == 0


def test_the_foquale_view(cohorte):
    """foquale:ac-paris proposed c1 (to C, started 09-23, C open: EN_COURS) and f1 (to F, not
    started: PROPOSEE), in the order proposed."""
    ids, get = cohorte
    v = get("foquale:ac-paris", "/v1/foquale/ac-paris/solutions")
    assert [(s["parcours_id"], s["solution_id"], s["statut"], s["proposee_le"], s["demarree_le"])
            for s in v["items"]] == [(ids["C"], "c1", "EN_COURS", "2024-09-16", "2024-09-23"),
                                     (ids["F"], "f1", "PROPOSEE", "2024-11-25", None)]
    assert [s["solution_id"] for s in get("foquale:ac-paris", "/v1/foquale/ac-paris/solutions",
                                          statut="PROPOSEE")["items"]] == ["f1"]


def test_the_timeline_of_one_parcours(cohorte):
    """A's history in the order it was accepted: enrolment, accueil, PFMP start and end, bilan,
    then the closure the bilan caused."""
    ids, get = cohorte
    t = get(f"ml:{ML_A}", f"/v1/parcours/{ids['A']}/chronologie")
    assert (t["uai"], t["mission_locale"]) == (UAI_PARIS, ML_A)
    assert [e["type"] for e in t["items"]] == ["EleveInscrit", "AccueilRealise", "PfmpDebutee",
                                               "PfmpTerminee", "BilanRealise", "ParcoursClos"]
    assert "0000000001C" not in str(t)


def test_the_views_rebuilt_from_the_event_store_give_the_same_hand_computed_figures(
        cohorte, parcours_app, registry, engine):
    """`ambition rebuild` replays the event store into new generations: the figures are the
    hand-computed ones above, not merely equal to the incremental views."""
    from ambition_projections.rebuild import rebuild

    ids, get = cohorte
    rebuild(engine, parcours_app, registry, progress=False, page=4)
    s = get("psad:national", "/v1/psad/synthese")
    assert (s["entrees"], s["parcours_ouverts"], s["part_avec_solution"], s["duree_mediane_jours"],
            s["jeunes_a_risque"]) == (6, 3, 0.5, 31, 2)
    assert s["issues"] == {"ABANDON": 1, "EMPLOI": 1, "FORMATION": 1}
    v = get(f"lycee:{UAI_PARIS}", f"/v1/lycees/{UAI_PARIS}/eleves")
    a = next(i for i in v["items"] if i["parcours_id"] == ids["A"])
    assert (a["jours_utilises"], a["jours_pfmp"], a["part_pfmp_utilisee"]) == (89, 31, 0.384)
    assert get(f"ml:{ML_B}", f"/v1/missions-locales/{ML_B}/portefeuille")["conseillers"] == [
        {"conseiller": "cons-b1", "jeunes": 2, "ouverts": 1, "pacea_en_cours": 0}]


def test_a_duplicate_inside_one_projection_batch_counts_once(parcours_app, registry, engine, settings):
    """Every event delivered twice in a row, all in ONE batch (one transaction): the figures are
    still the hand-computed ones."""
    ids = charger_cohorte(parcours_app)
    records = records_of(parcours_app, registry)
    doubles = [r for r in records for _ in range(2)]
    projeter(engine, doubles, taille=len(doubles))
    api = TestClient(create_app(settings, Jetons(TOKENS)))
    s = api.get("/v1/psad/synthese", params={"as_of": AS_OF.isoformat()},
                headers={"Authorization": f"Bearer {TOKENS['psad:national']}"}).json()
    assert (s["entrees"], s["parcours_ouverts"], s["part_avec_solution"], s["duree_mediane_jours"]) == (6, 3, 0.5, 31)
    assert s["issues"] == {"ABANDON": 1, "EMPLOI": 1, "FORMATION": 1}
    ml = api.get(f"/v1/missions-locales/{ML_B}/activites",
                 headers={"Authorization": f"Bearer {TOKENS[f'ml:{ML_B}']}"}).json()
    assert ml["total"] == 1 and ml["items"][0]["parcours_id"] == ids["C"]  # C's 11-20 activity, once
    foq = api.get("/v1/foquale/ac-paris/solutions", headers={"Authorization": f"Bearer {TOKENS['foquale:ac-paris']}"}).json()
    assert [x["solution_id"] for x in foq["items"]] == ["c1", "f1"]
