"""Mission locale (accueil first, PACEA age), bilan and outcome, who may say what."""
from __future__ import annotations

from datetime import date

import pytest
from aide_parcours import accepte, refuse

from ambition.parcours.exemples import AUTRE_SIRET_ML, AUTRE_UAI, SIRET_ML, UAI, fait
from ambition.parcours.faits import FOQUALE, LYCEE, MISSION_LOCALE, Emetteur

AUTRE_ML = Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}")


@pytest.mark.parametrize("type_", ["PaceaSigne", "ActiviteMissionLocaleRealisee", "StageDebute",
                                   "BilanRealise"])
def test_ACCUEIL_ML_AVANT_ACTIVITE_refuse_avant_l_accueil(etant_donne, quand, type_):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait(type_)), "ACCUEIL_ML_AVANT_ACTIVITE")


def test_ACCUEIL_ML_AVANT_ACTIVITE_accepte_apres_l_accueil(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    accepte(quand(fait("ActiviteMissionLocaleRealisee")))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.mission_locale, p.conseiller) == (SIRET_ML, "cons-42")


def test_PACEA_AGE_refuse_avant_16_ans(etant_donne, quand):
    etant_donne(fait("EleveInscrit", date_naissance=date(2008, 10, 1),
                     consentement_representant_legal=True), fait("AccueilRealise"))
    refuse(quand(fait("PaceaSigne", date_signature=date(2024, 9, 30))), "PACEA_AGE")
    accepte(quand(fait("PaceaSigne", date_signature=date(2024, 10, 1))))  # 16th birthday


def test_PACEA_AGE_refuse_a_26_ans(etant_donne, quand):
    etant_donne(fait("EleveInscrit", date_naissance=date(1998, 10, 1)), fait("AccueilRealise"))
    refuse(quand(fait("PaceaSigne", date_signature=date(2024, 10, 1))), "PACEA_AGE")


def test_PACEA_AGE_accepte_la_veille_des_26_ans_et_l_eleve_reste_inscrit(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit", date_naissance=date(1998, 10, 1)), fait("AccueilRealise"))
    accepte(quand(fait("PaceaSigne", date_signature=date(2024, 9, 30))))
    p = app.parcours(fait("EleveInscrit").cle)
    assert p.ouvert and p.pacea_en_cours and p.droits["statut_scolaire"]


def test_PACEA_AGE_refuse_un_second_pacea_en_cours(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PaceaSigne"))
    refuse(quand(fait("PaceaSigne", date_signature=date(2024, 10, 1))), "PACEA_AGE")
    accepte(quand(fait("PaceaTermine", date_fin=date(2024, 10, 1))))
    accepte(quand(fait("PaceaSigne", date_signature=date(2024, 10, 2))))


def test_BILAN_TRIPARTITE_refuse_sans_le_referent(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    r = quand(fait("BilanRealise", participants=["JEUNE", "CONSEILLER_ML"]))
    refuse(r, "BILAN_TRIPARTITE")
    assert "REFERENT_PARCOURS" in r.message


def test_BILAN_TRIPARTITE_accepte_et_clot_le_parcours(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    accepte(quand(fait("BilanRealise", issue="FORMATION")))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.ouvert, p.issue, p.date_cloture) == (False, "FORMATION", date(2024, 12, 20))
    noms = [type(e).__name__ for e in app.events.get(p.id)]
    assert noms[-2:] == ["BilanRealise", "ParcoursClos"]


def test_ISSUE_UNIQUE_refuse_tout_fait_apres_la_cloture(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"))
    refuse(quand(fait("BilanRealise", issue="EMPLOI")), "ISSUE_UNIQUE")
    refuse(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 21))), "ISSUE_UNIQUE")
    refuse(quand(fait("AbandonDeclare")), "ISSUE_UNIQUE")


def test_ISSUE_UNIQUE_accepte_une_correction_apres_la_cloture(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"))
    accepte(quand(fait("IssueCorrigee", issue="PARCOURS_INSERTION")))
    p = app.parcours(fait("EleveInscrit").cle)
    assert p.issue == "PARCOURS_INSERTION" and not p.ouvert


def test_ISSUE_UNIQUE_refuse_une_correction_d_un_parcours_ouvert(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    refuse(quand(fait("IssueCorrigee")), "ISSUE_UNIQUE")


def test_ISSUE_UNIQUE_l_abandon_clot_avec_l_issue_ABANDON(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    accepte(quand(fait("AbandonDeclare")))
    assert app.parcours(fait("EleveInscrit").cle).issue == "ABANDON"


def test_PARCOURS_INSERTION_met_fin_au_statut_scolaire_et_aux_droits(app, etant_donne):
    etant_donne(fait("EleveInscrit", boursier=True, interne=True), fait("AccueilRealise"))
    p = app.parcours(fait("EleveInscrit").cle)
    assert p.droits == {"statut_scolaire": True, "bourse": True, "internat": True,
                        "fonds_sociaux": False}
    etant_donne(fait("BilanRealise", issue="PARCOURS_INSERTION"))
    p = app.parcours(fait("EleveInscrit").cle)
    assert not any(p.droits.values())
    clos = [e for e in app.events.get(p.id) if type(e).__name__ == "ParcoursClos"][-1]
    assert (clos.droits_jusqu_au, clos.statut_scolaire_conserve, clos.statut_structure_accueil) \
        == (date(2024, 12, 20), False, True)


@pytest.mark.parametrize("type_", ["PaceaSigne", "StageDebute", "BilanRealise"])
def test_EMETTEUR_AUTORISE_refuse_un_fait_de_mission_locale_venant_du_lycee(etant_donne, quand,
                                                                           type_):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    lycee = Emetteur(LYCEE, UAI, f"lycee:{UAI}")
    refuse(quand(fait(type_, emetteur=lycee)), "EMETTEUR_AUTORISE")


def test_EMETTEUR_AUTORISE_refuse_un_autre_lycee(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    autre = Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}")
    r = quand(fait("PfmpDebutee", emetteur=autre))
    refuse(r, "EMETTEUR_AUTORISE")
    assert UAI in r.message and AUTRE_UAI in r.message


def test_EMETTEUR_AUTORISE_refuse_une_autre_mission_locale_apres_l_accueil(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    refuse(quand(fait("ActiviteMissionLocaleRealisee", emetteur=AUTRE_ML)), "EMETTEUR_AUTORISE")
    refuse(quand(fait("AccueilRealise", siret=AUTRE_SIRET_ML, emetteur=AUTRE_ML)),
           "EMETTEUR_AUTORISE")


def test_EMETTEUR_AUTORISE_accepte_le_lycee_la_mission_locale_et_foquale_concernes(etant_donne,
                                                                                   quand):
    etant_donne(fait("EleveInscrit"))
    accepte(quand(fait("AccueilRealise", siret=AUTRE_SIRET_ML, emetteur=AUTRE_ML)))
    accepte(quand(fait("ActiviteMissionLocaleRealisee", emetteur=AUTRE_ML)))
    accepte(quand(fait("SolutionProposee", emetteur=Emetteur(FOQUALE, "ac-paris", "foquale:ac-paris"))))
    accepte(quand(fait("SolutionDemarree")))


def test_EMETTEUR_AUTORISE_refuse_un_accueil_au_nom_d_une_autre_mission_locale(etant_donne,
                                                                               quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("AccueilRealise", siret=AUTRE_SIRET_ML)), "EMETTEUR_AUTORISE")
    refuse(quand(fait("AccueilRealise", siret="12345678901234",
                      emetteur=Emetteur(MISSION_LOCALE, "12345678901234", "ml:x"))),
           "SIRET_INVALIDE")


def test_SIRET_de_la_mission_locale_par_defaut_est_valide():
    from ambition.parcours.identifiants import siret_valide
    assert siret_valide(SIRET_ML) and siret_valide(AUTRE_SIRET_ML)
