"""The parcours follow-up folded from domain events, and the alerts at a reference date."""
from __future__ import annotations

from datetime import date

from ambition_projections import suivi

META = {"parcours_id": "p-1", "numero": 1, "uai": "0753268V", "mission_locale": None,
        "emetteur": "lycee:0753268V"}


def ev(**fields) -> dict:
    return {"envelope": {"subject": "cle-1"}, **fields}


def inscrit(debut=date(2024, 9, 2), fin=date(2024, 12, 31)) -> dict:
    return suivi.evoluer(None, "EleveInscrit", META, ev(
        referent="M. Durand", diplome="CAP", date_debut=debut, date_fin_prevue=fin,
        boursier=True, interne=False, fonds_sociaux=False))


def test_enrolment_opens_a_followup_without_personal_data():
    s = inscrit()
    assert s["etat"] == "OUVERT" and s["numero"] == 1 and s["statut_scolaire"]
    assert not {"ine", "nom", "prenom", "date_naissance", "accompagnement_handicap"} & set(s)


def test_a_new_enrolment_after_closure_is_the_next_parcours():
    s = suivi.evoluer(inscrit(), "ParcoursClos", META, ev(issue="ABANDON", statut_scolaire_conserve=True, date=date(2024, 10, 1)))
    assert suivi.evoluer(s, "EleveInscrit", dict(META, numero=2), ev(date_debut=date(2025, 9, 1),
                                                      date_fin_prevue=date(2025, 12, 31)))["numero"] == 2


def test_fold_does_not_modify_the_previous_state():
    s = inscrit()
    suivi.evoluer(s, "ActiviteLyceeRealisee", META, ev(date=date(2024, 9, 10)))
    assert s["activites"] == []


def test_days_used_and_share_of_the_two_thirds():
    s = suivi.evoluer(inscrit(fin=date(2024, 11, 30)), "PfmpDebutee", META, ev(
        periode_id="p1", siret="75000000000000", date_debut=date(2024, 10, 1),
        date_fin_prevue=date(2024, 10, 30)))
    assert suivi.duree(s) == 90 and suivi.jours_en_entreprise(s) == 30
    assert suivi.part_pfmp(s) == 0.5  # 30 of the 60 days allowed
    assert suivi.jours_utilises(s, date(2024, 9, 11)) == 10
    assert suivi.jours_utilises(s, date(2025, 6, 1)) == 90
    s = suivi.evoluer(s, "PfmpTerminee", META, ev(periode_id="p1", date_fin=date(2024, 10, 15)))
    assert suivi.jours_en_entreprise(s) == 15


def test_alert_no_activity_for_21_days_counts_from_entry_then_from_the_last_activity():
    s = inscrit()
    assert suivi.SANS_ACTIVITE_21J not in suivi.alertes(s, date(2024, 9, 22))
    assert suivi.SANS_ACTIVITE_21J in suivi.alertes(s, date(2024, 9, 23))
    s = suivi.evoluer(s, "ActiviteLyceeRealisee", META, ev(date=date(2024, 9, 20)))
    assert suivi.SANS_ACTIVITE_21J not in suivi.alertes(s, date(2024, 10, 10))
    assert suivi.SANS_ACTIVITE_21J in suivi.alertes(s, date(2024, 10, 11))
    # an activity dated after the reference date does not count at that date
    assert suivi.derniere_activite(s, date(2024, 9, 19)) is None


def test_a_period_in_progress_is_activity():
    s = suivi.evoluer(inscrit(), "StageDebute", META, ev(
        periode_id="s1", nature="STAGE", siret="75000000000000", date_debut=date(2024, 9, 10),
        date_fin_prevue=date(2024, 11, 10)))
    assert suivi.SANS_ACTIVITE_21J not in suivi.alertes(s, date(2024, 11, 1))


def test_alert_end_in_under_15_days():
    s = inscrit()
    assert suivi.FIN_SOUS_15J not in suivi.alertes(s, date(2024, 12, 16))
    assert suivi.FIN_SOUS_15J in suivi.alertes(s, date(2024, 12, 17))


def test_alert_no_accueil_10_days_after_entry():
    s = inscrit()
    assert suivi.SANS_ACCUEIL_10J not in suivi.alertes(s, date(2024, 9, 11))
    assert suivi.SANS_ACCUEIL_10J in suivi.alertes(s, date(2024, 9, 12))
    s = suivi.evoluer(s, "AccueilRealise", dict(META, mission_locale="12345678901237"), ev(
        siret="12345678901237", conseiller="c1", date=date(2024, 9, 15)))
    assert suivi.SANS_ACCUEIL_10J in suivi.alertes(s, date(2024, 9, 14))  # not yet welcomed then
    assert suivi.SANS_ACCUEIL_10J not in suivi.alertes(s, date(2024, 9, 15))
    assert s["mission_locale"] == "12345678901237"


def test_no_alert_before_entry_or_after_closure():
    s = suivi.evoluer(inscrit(), "ParcoursClos", META, ev(issue="EMPLOI", statut_scolaire_conserve=True, date=date(2024, 11, 1)))
    assert suivi.alertes(s, date(2024, 8, 1)) == []
    assert suivi.alertes(s, date(2024, 12, 20)) == []
    assert suivi.SANS_ACCUEIL_10J in suivi.alertes(s, date(2024, 10, 1))  # still open then


def test_parcours_insertion_ends_the_statut_scolaire_and_a_correction_restores_it():
    s = suivi.evoluer(inscrit(), "ParcoursClos", META, ev(issue="PARCOURS_INSERTION", statut_scolaire_conserve=False, date=date(2024, 12, 1)))
    assert s["etat"] == "CLOS" and not s["statut_scolaire"]
    s = suivi.evoluer(s, "IssueCorrigee", META, ev(issue="EMPLOI", statut_scolaire_conserve=True, date=date(2024, 12, 5), motif="x"))
    assert s["issue"] == "EMPLOI" and s["statut_scolaire"]


def test_days_in_enterprise_of_events_stored_before_they_carried_them():
    """Old events carry no day count: the view counts the periods itself, each clipped to the
    closure (PFMP 10-01..10-31, closed 10-15: 15 days); a count the events carry wins."""
    s = dict(inscrit(), periodes={"lycee:0753268V/pfmp-1": {
        "nature": "PFMP", "siret": "75000000000000", "debut": "2024-10-01", "fin": "2024-10-31",
        "terminee": False}})
    assert suivi.jours_en_entreprise(s) == 31
    assert suivi.jours_en_entreprise(dict(s, date_cloture=date(2024, 10, 15))) == 15
    assert suivi.jours_en_entreprise(dict(s, jours_pfmp=12)) == 12


def test_rights_in_force_on_a_date():
    """Boursier, interne and social fund as enrolled, from the start to the closure included."""
    s = dict(inscrit(), interne=True, fonds_sociaux=True)
    tous = {"statut_scolaire": True, "bourse": True, "internat": True, "fonds_sociaux": True}
    aucun = dict.fromkeys(tous, False)
    assert suivi.droits_le(s, date(2024, 9, 1)) == aucun
    assert suivi.droits_le(s, date(2024, 9, 2)) == tous
    clos = dict(s, droits_jusqu_au=date(2024, 10, 15))
    assert suivi.droits_le(clos, date(2024, 10, 15)) == tous
    assert suivi.droits_le(clos, date(2024, 10, 16)) == aucun
    assert suivi.droits_le(dict(s, boursier=False, fonds_sociaux=False), date(2024, 10, 1)) == dict(
        tous, bourse=False, fonds_sociaux=False)


def test_the_number_of_a_parcours():
    """The number the event carries; for events stored before they carried it: the previous
    parcours's number + 1, or 1 for the first."""
    sans_numero = {k: v for k, v in META.items() if k != "numero"}
    rec = ev(date_debut=date(2025, 9, 1), date_fin_prevue=date(2025, 12, 31))
    assert suivi.evoluer(None, "EleveInscrit", dict(META, numero=3), rec)["numero"] == 3
    assert suivi.evoluer(None, "EleveInscrit", sans_numero, rec)["numero"] == 1
    assert suivi.evoluer(dict(inscrit(), numero=2), "EleveInscrit", sans_numero, rec)["numero"] == 3


def test_an_enrolment_correction_and_a_move_in_the_followup():
    s = suivi.evoluer(inscrit(), "InscriptionCorrigee", META, ev(
        date=date(2024, 10, 2), date_fin_prevue=date(2024, 12, 20), referent="Mme Petit",
        boursier=False, interne=True, fonds_sociaux=True))
    assert (s["date_fin_prevue"], s["referent"], s["boursier"], s["interne"], s["fonds_sociaux"]) == (
        date(2024, 12, 20), "Mme Petit", False, True, True)
    s = suivi.evoluer(s, "AccueilRealise", META, ev(siret="12345678901237", conseiller="cons-42",
                                                    date=date(2024, 9, 5)))
    assert (s["mission_locale"], s["conseiller"], s["date_accueil"]) == (
        "12345678901237", "cons-42", date(2024, 9, 5))
    s = suivi.evoluer(s, "MissionLocaleChangee", META, ev(siret="44000000000008",
                                                          date=date(2024, 10, 15)))
    assert (s["mission_locale"], s["conseiller"], s["date_accueil"]) == ("44000000000008", None, None)


def test_the_days_each_alert_becomes_due():
    """Start 09-02, planned end 12-31: no activity yet, so 21 days after the start (09-23), the
    end 14 days before the planned end (12-17), no accueil 10 days after the start (09-12)."""
    s = inscrit()
    assert suivi.dates_d_alerte(s) == {
        "alerte_activite_le": date(2024, 9, 23), "alerte_fin_le": date(2024, 12, 17),
        "alerte_accueil_le": date(2024, 9, 12), "alerte_le": date(2024, 9, 12),
        "faits_jusqu_au": date(2024, 9, 2)}
    # the accueil of 09-05 clears the accueil alert and is an activity: 09-05 + 21 = 09-26
    s = suivi.evoluer(s, "AccueilRealise", META, ev(siret="12345678901237", conseiller="c",
                                                    date=date(2024, 9, 5)))
    # a PFMP started 10-01, planned until 10-25: activity until its end, so 10-25 + 21 = 11-15;
    # its start is the latest fact (10-01)
    s = suivi.evoluer(s, "PfmpDebutee", META, ev(periode_id="p1", siret="12345678901237",
                                                 date_debut=date(2024, 10, 1), date_fin_prevue=date(2024, 10, 25)))
    assert suivi.dates_d_alerte(s) == {
        "alerte_activite_le": date(2024, 11, 15), "alerte_fin_le": date(2024, 12, 17),
        "alerte_accueil_le": None, "alerte_le": date(2024, 11, 15), "faits_jusqu_au": date(2024, 10, 1)}
    # ended early, on 10-18: 10-18 + 21 = 11-08
    s = suivi.evoluer(s, "PfmpTerminee", META, ev(periode_id="p1", date_fin=date(2024, 10, 18)))
    assert suivi.dates_d_alerte(s)["alerte_activite_le"] == date(2024, 11, 8)
    # from the latest fact on, the dates give the alerts of `alertes`
    for jour, attendu in ((date(2024, 11, 7), []), (date(2024, 11, 8), ["SANS_ACTIVITE_21J"]),
                          (date(2024, 12, 17), ["SANS_ACTIVITE_21J", "FIN_SOUS_15J"])):
        assert suivi.alertes_datees(dict(s, **suivi.dates_d_alerte(s)), jour) == suivi.alertes(s, jour) == attendu
