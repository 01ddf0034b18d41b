"""Entry rules (arrêté art. 2): one Given/When/Then per rule, refused and accepted."""
from __future__ import annotations

from datetime import date

import pytest
from aide_parcours import accepte, refuse

from ambition.bootstrap import make_app
from ambition.parcours.exemples import AUTRE_UAI, SIRET_ML, fait
from ambition.parcours.faits import MISSION_LOCALE, Emetteur


@pytest.mark.parametrize("diplome", ["BAC_PRO", "CAP", "BMA", "DTMS"])
def test_ELIGIBILITE_DIPLOME_accepte_les_quatre_diplomes(quand, diplome):
    accepte(quand(fait("EleveInscrit", diplome=diplome)))


def test_ELIGIBILITE_DIPLOME_refuse_un_autre_diplome(quand):
    r = quand(fait("EleveInscrit", diplome="BTS"))
    refuse(r, "ELIGIBILITE_DIPLOME")
    assert "BTS" in r.message


def test_ELIGIBILITE_SESSION_accepte_la_derniere_session(quand):
    accepte(quand(fait("EleveInscrit", session_examen=2024, date_debut=date(2024, 9, 2))))


def test_ELIGIBILITE_SESSION_refuse_une_session_anterieure(quand):
    r = quand(fait("EleveInscrit", session_examen=2023))
    refuse(r, "ELIGIBILITE_SESSION")
    assert "2024/2025" in r.message and "2023" in r.message


@pytest.mark.parametrize("situation", ["en_emploi", "en_formation"])
def test_ELIGIBILITE_SITUATION_refuse_en_emploi_ou_en_formation(quand, situation):
    refuse(quand(fait("EleveInscrit", **{situation: True})), "ELIGIBILITE_SITUATION")


def test_ELIGIBILITE_SITUATION_accepte_sans_emploi_ni_formation(quand):
    accepte(quand(fait("EleveInscrit", en_emploi=False, en_formation=False)))


def test_VOLONTARIAT_refuse_sans_consentement_de_l_eleve(quand):
    refuse(quand(fait("EleveInscrit", consentement_eleve=False)), "VOLONTARIAT")


def test_VOLONTARIAT_refuse_un_mineur_sans_consentement_du_representant(quand):
    r = quand(fait("EleveInscrit", date_naissance=date(2007, 1, 10),
                   consentement_representant_legal=None))
    refuse(r, "VOLONTARIAT")
    assert "under 18" in r.message


def test_VOLONTARIAT_accepte_un_mineur_avec_consentement_du_representant(quand):
    accepte(quand(fait("EleveInscrit", date_naissance=date(2007, 1, 10),
                       consentement_representant_legal=True)))


def test_VOLONTARIAT_accepte_un_majeur_avec_son_seul_consentement(quand):
    accepte(quand(fait("EleveInscrit", date_naissance=date(2006, 9, 2))))  # 18 that very day


def test_UN_SEUL_PARCOURS_refuse_une_inscription_pendant_un_parcours_ouvert(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("EleveInscrit", date_debut=date(2024, 10, 1))), "UN_SEUL_PARCOURS")


def test_UN_SEUL_PARCOURS_refuse_un_debut_avant_la_cloture_precedente(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AbandonDeclare", date=date(2024, 9, 20)))
    refuse(quand(fait("EleveInscrit", date_debut=date(2024, 9, 20))), "UN_SEUL_PARCOURS")


def test_UN_SEUL_PARCOURS_accepte_une_annee_suivante_apres_cloture(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AbandonDeclare", date=date(2024, 9, 20)))
    accepte(quand(fait("EleveInscrit", session_examen=2025, date_debut=date(2025, 9, 1),
                       date_fin_prevue=date(2025, 12, 19))))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.numero, p.ouvert, p.issue, p.periodes) == (2, True, None, {})


def test_DEBUT_RENTREE_refuse_un_debut_avant_la_rentree(quand):
    r = quand(fait("EleveInscrit", date_debut=date(2024, 8, 26), date_fin_prevue=date(2024, 12, 1)))
    refuse(r, "DEBUT_RENTREE")
    assert "2024-09-02" in r.message


def test_DEBUT_RENTREE_accepte_le_jour_de_la_rentree(quand):
    accepte(quand(fait("EleveInscrit", date_debut=date(2024, 9, 2))))


def test_DEBUT_RENTREE_suit_le_calendrier_configure():
    app = make_app(PERSISTENCE_MODULE="eventsourcing.popo", CALENDRIER='{"2024": "2024-08-26"}')
    accepte(app.traiter_lot([fait("EleveInscrit", date_debut=date(2024, 8, 26),
                                 date_fin_prevue=date(2024, 12, 20))])[0])


def test_DUREE_MAX_4_MOIS_refuse_une_fin_prevue_au_dela_de_4_mois(quand):
    r = quand(fait("EleveInscrit", date_fin_prevue=date(2025, 1, 3)))
    refuse(r, "DUREE_MAX_4_MOIS")
    assert "2025-01-02" in r.message


def test_DUREE_MAX_4_MOIS_accepte_exactement_4_mois(quand):
    accepte(quand(fait("EleveInscrit", date_fin_prevue=date(2025, 1, 2))))


def test_DUREE_MAX_4_MOIS_refuse_une_activite_apres_la_fin(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("ActiviteLyceeRealisee", date=date(2025, 1, 6))), "DUREE_MAX_4_MOIS")


def test_DUREE_MAX_4_MOIS_refuse_une_activite_avant_le_debut(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("ActiviteLyceeRealisee", date=date(2024, 8, 30))), "DUREE_MAX_4_MOIS")


def test_DUREE_MAX_4_MOIS_accepte_une_activite_le_dernier_jour(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    accepte(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 31))))


def test_EMETTEUR_AUTORISE_refuse_une_inscription_par_une_mission_locale(quand):
    r = quand(fait("EleveInscrit", emetteur=Emetteur(MISSION_LOCALE, SIRET_ML, f"ml:{SIRET_ML}")))
    refuse(r, "EMETTEUR_AUTORISE")


def test_EMETTEUR_AUTORISE_refuse_une_inscription_pour_un_autre_lycee(quand):
    refuse(quand(fait("EleveInscrit", uai=AUTRE_UAI)), "EMETTEUR_AUTORISE")


def test_IDENTIFIANT_INVALIDE_refuse_un_uai_ou_un_ine_faux(quand):
    faux_uai = Emetteur("LYCEE", "0753268A", "lycee:0753268A")
    refuse(quand(fait("EleveInscrit", uai="0753268A", emetteur=faux_uai)), "IDENTIFIANT_INVALIDE")
    r = quand(fait("EleveInscrit", ine="12345"))
    refuse(r, "IDENTIFIANT_INVALIDE")
    assert "12345" not in r.message  # the INE never appears in a message


def test_FAIT_INVALIDE_refuse_un_fait_incomplet(quand):
    f = fait("EleveInscrit")
    del f.payload["diplome"]
    refuse(quand(f), "FAIT_INVALIDE")
