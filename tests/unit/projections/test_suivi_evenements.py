"""Given a followed parcours, when one domain event arrives, then the follow-up says exactly this.

One test per event type of the fold (``suivi.evoluer``), each compared with the whole expected
state written out by hand, so that a field forgotten or written from the wrong source shows.
"""
from __future__ import annotations

from datetime import date

from ambition_projections import suivi

META = {"parcours_id": "p-1", "numero": 1, "uai": "0753268V", "mission_locale": None,
        "emetteur": "ml:12345678901237"}
ML = "ml:12345678901237/"  # period ids belong to their emitter (the event's metadata)
DEBUT, FIN = date(2024, 9, 2), date(2024, 12, 31)


def ev(**fields) -> dict:
    return {"envelope": {"subject": "cle-1"}, **fields}


def inscrit(**change) -> dict:
    rec = dict(referent="M. Durand", diplome="CAP", specialite="Vente", date_debut=DEBUT,
               date_fin_prevue=FIN, boursier=True, interne=False, fonds_sociaux=True)
    rec.update(change)
    return suivi.evoluer(None, "EleveInscrit", META, ev(**rec))


ETAT_INITIAL = dict(
    parcours_id="p-1", cle="cle-1", numero=1, etat="OUVERT", uai="0753268V", mission_locale=None,
    conseiller=None, referent="M. Durand", diplome="CAP", specialite="Vente", date_debut=DEBUT,
    date_fin_prevue=FIN, date_accueil=None, date_cloture=None, issue=None, boursier=True,
    interne=False, fonds_sociaux=True, statut_scolaire=True, pacea=False, solution_demarree_le=None,
    activites=[], periodes={}, droits_jusqu_au=None, statut_structure_accueil=False, jours_pfmp=None,
    depassement_deux_tiers=False)


def test_enrolment_gives_the_whole_initial_state():
    assert inscrit() == ETAT_INITIAL


def test_an_event_of_a_parcours_never_enrolled_is_not_followed():
    assert suivi.evoluer(None, "AccueilRealise", META, ev(siret="1", conseiller="c", date=DEBUT)) is None


def test_accueil_sets_mission_locale_counsellor_and_the_first_accueil_date():
    s = suivi.evoluer(inscrit(), "AccueilRealise", META,
                      ev(siret="12345678901237", conseiller="cons-1", date=date(2024, 9, 5)))
    assert s == {**ETAT_INITIAL, "mission_locale": "12345678901237", "conseiller": "cons-1",
                 "date_accueil": date(2024, 9, 5), "activites": ["2024-09-05"]}
    s = suivi.evoluer(s, "AccueilRealise", META,
                      ev(siret="44000000000008", conseiller="cons-2", date=date(2024, 10, 1)))
    assert (s["mission_locale"], s["conseiller"], s["date_accueil"]) == (
        "44000000000008", "cons-2", date(2024, 9, 5))  # the first accueil's date stays


def test_referent_change():
    s = suivi.evoluer(inscrit(), "ReferentChange", META, ev(referent="Mme Petit", date_effet=date(2024, 10, 1)))
    assert s == {**ETAT_INITIAL, "referent": "Mme Petit"}


def test_pacea_signed_then_ended():
    s = suivi.evoluer(inscrit(), "PaceaSigne", META, ev(date_signature=date(2024, 9, 20)))
    assert s == {**ETAT_INITIAL, "pacea": True, "activites": ["2024-09-20"]}
    s = suivi.evoluer(s, "PaceaTermine", META, ev(date_fin=date(2024, 12, 20)))
    assert s == {**ETAT_INITIAL, "pacea": False, "activites": ["2024-09-20"]}


def test_a_solution_started_keeps_its_first_start_date():
    s = suivi.evoluer(inscrit(), "SolutionDemarree", META, ev(solution_id="s1", date=date(2024, 9, 23)))
    assert s == {**ETAT_INITIAL, "solution_demarree_le": date(2024, 9, 23), "activites": ["2024-09-23"]}
    s = suivi.evoluer(s, "SolutionDemarree", META, ev(solution_id="s2", date=date(2024, 10, 7)))
    assert s["solution_demarree_le"] == date(2024, 9, 23)
    assert s["activites"] == ["2024-09-23", "2024-10-07"]


def test_activities_are_dated_by_their_own_field():
    s = inscrit()
    for name, champ, jour in (("ActiviteLyceeRealisee", "date", 10), ("ActiviteMissionLocaleRealisee", "date", 11),
                              ("PositionnementRealise", "date", 12), ("SolutionProposee", "date", 13)):
        s = suivi.evoluer(s, name, META, ev(**{champ: date(2024, 9, jour)}))
    assert s == {**ETAT_INITIAL, "activites": ["2024-09-10", "2024-09-11", "2024-09-12", "2024-09-13"]}


def test_a_stage_keeps_its_nature_and_ends_on_its_end_date():
    s = suivi.evoluer(inscrit(), "StageDebute", META, ev(
        periode_id="st-1", nature="IMMERSION", siret="75000000000000", date_debut=date(2024, 11, 4),
        date_fin_prevue=date(2024, 11, 22)))
    assert s["periodes"] == {ML + "st-1": {"nature": "IMMERSION", "siret": "75000000000000", "debut": "2024-11-04",
                                      "fin": "2024-11-22", "terminee": False}}
    s = suivi.evoluer(s, "StageTermine", META, ev(periode_id="st-1", date_fin=date(2024, 11, 15)))
    assert s["periodes"][ML + "st-1"] == {"nature": "IMMERSION", "siret": "75000000000000", "debut": "2024-11-04",
                                     "fin": "2024-11-15", "terminee": True}
    inconnue = suivi.evoluer(s, "StageTermine", META, ev(periode_id="st-9", date_fin=date(2024, 11, 16)))
    assert inconnue["periodes"] == s["periodes"]  # the end of a period never begun changes nothing


def test_a_pfmp_is_a_pfmp_whatever_the_event_says():
    s = suivi.evoluer(inscrit(), "PfmpDebutee", META, ev(
        periode_id="p1", siret="75000000000000", date_debut=date(2024, 10, 1), date_fin_prevue=date(2024, 10, 31)))
    assert s["periodes"][ML + "p1"]["nature"] == "PFMP"


def test_closure_and_outcome_correction():
    """What the domain decided travels in the events (ParcoursClos v2, IssueCorrigee v2)."""
    s = suivi.evoluer(inscrit(), "ParcoursClos", META, ev(
        issue="EMPLOI", date=date(2024, 11, 29), droits_jusqu_au=date(2024, 11, 29),
        statut_scolaire_conserve=True, statut_structure_accueil=False, jours_en_entreprise=0,
        depassement_deux_tiers=False, periodes_terminees=[]))
    clos = {**ETAT_INITIAL, "etat": "CLOS", "issue": "EMPLOI", "date_cloture": date(2024, 11, 29),
            "droits_jusqu_au": date(2024, 11, 29), "jours_pfmp": 0}
    assert s == clos
    s = suivi.evoluer(s, "IssueCorrigee", META, ev(
        issue="PARCOURS_INSERTION", date=date(2025, 1, 10), statut_scolaire_conserve=False,
        statut_structure_accueil=True))
    assert s == {**clos, "issue": "PARCOURS_INSERTION", "statut_scolaire": False,
                 "statut_structure_accueil": True}


def test_the_mission_locale_named_by_the_event_metadata_wins():
    """A move (the lycée named another mission locale): the domain event's metadata says so."""
    s = suivi.evoluer(inscrit(), "ReferentChange", {**META, "mission_locale": "44000000000008"},
                      ev(referent="M. Durand", date_effet=date(2024, 10, 1)))
    assert s["mission_locale"] == "44000000000008"


def test_figures_at_the_boundaries():
    """Planned 09-02..12-31 = 121 days; 2/3 = 80.67 days allowed in enterprise."""
    s = inscrit()
    assert suivi.duree(s) == 121
    assert suivi.jours_utilises(s, date(2024, 9, 1)) == 0  # before entry: none, never negative
    assert suivi.jours_utilises(s, DEBUT) == 1
    s = suivi.evoluer(s, "PfmpDebutee", META, ev(periode_id="p1", siret="75000000000000",
                                                  date_debut=date(2024, 10, 1), date_fin_prevue=date(2024, 10, 1)))
    assert suivi.jours_en_entreprise(s) == 1 and suivi.part_pfmp(s) == 0.012  # 1 / 80.67
    same_day = {**s, "date_fin_prevue": DEBUT}
    assert suivi.duree(same_day) == 1 and suivi.part_pfmp(same_day) == 1.5  # 1 / (1 x 2/3)
    assert suivi.part_pfmp({**s, "date_fin_prevue": date(2024, 9, 1)}) == 0.0  # no planned day: no share


def test_alerts_exactly_at_their_thresholds():
    """Entry 09-02: no activity for 21 days is reached on 09-23, not on 09-22; no accueil 10 days
    after entry on 09-12, not 09-11; end in under 15 days: 12-17 (14 days before 12-31), not 12-16."""
    s = inscrit()
    assert suivi.alertes(s, date(2024, 9, 11)) == []
    assert suivi.alertes(s, date(2024, 9, 12)) == [suivi.SANS_ACCUEIL_10J]
    assert suivi.alertes(s, date(2024, 9, 22)) == [suivi.SANS_ACCUEIL_10J]
    assert suivi.alertes(s, date(2024, 9, 23)) == [suivi.SANS_ACTIVITE_21J, suivi.SANS_ACCUEIL_10J]
    accueilli = suivi.evoluer(s, "AccueilRealise", META, ev(siret="1", conseiller="c", date=date(2024, 12, 10)))
    assert suivi.alertes(accueilli, date(2024, 12, 16)) == []
    assert suivi.alertes(accueilli, date(2024, 12, 17)) == [suivi.FIN_SOUS_15J]
    assert suivi.alertes(accueilli, date(2024, 12, 9)) == [suivi.SANS_ACTIVITE_21J, suivi.SANS_ACCUEIL_10J]
    assert suivi.derniere_activite(accueilli, date(2024, 12, 9)) is None
    assert suivi.derniere_activite(accueilli, date(2024, 12, 10)) == date(2024, 12, 10)
