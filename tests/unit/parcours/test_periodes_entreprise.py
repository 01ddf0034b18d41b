"""PFMP, stages and immersions: 2/3 of the parcours, no overlap, valid SIRET."""
from __future__ import annotations

from datetime import date

from aide_parcours import accepte, refuse

from ambition.parcours.exemples import fait

# an 84-day parcours: 2/3 is 56 days
PARCOURS_84_JOURS = dict(date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 11, 24))


def test_PFMP_DEUX_TIERS_refuse_au_dela_des_deux_tiers_avec_les_chiffres(etant_donne, quand):
    etant_donne(fait("EleveInscrit", **PARCOURS_84_JOURS))
    r = quand(fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 10, 29)))
    refuse(r, "PFMP_DEUX_TIERS")
    assert r.message == ("PFMP_DEUX_TIERS: 58 days of PFMP/stage would exceed 2/3 of the 84-day "
                         "parcours (56 days)")


def test_PFMP_DEUX_TIERS_accepte_exactement_les_deux_tiers(etant_donne, quand):
    etant_donne(fait("EleveInscrit", **PARCOURS_84_JOURS))
    accepte(quand(fait("PfmpDebutee", date_debut=date(2024, 9, 2),
                       date_fin_prevue=date(2024, 10, 27))))  # 56 days


def test_PFMP_DEUX_TIERS_additionne_pfmp_stage_et_immersion(etant_donne, quand):
    etant_donne(fait("EleveInscrit", **PARCOURS_84_JOURS), fait("AccueilRealise"),
                fait("PfmpDebutee", date_debut=date(2024, 9, 9), date_fin_prevue=date(2024, 10, 8)))
    refuse(quand(fait("StageDebute", nature="IMMERSION", date_debut=date(2024, 10, 14),
                      date_fin_prevue=date(2024, 11, 12))), "PFMP_DEUX_TIERS")  # 30 + 30 > 56


def test_PFMP_DEUX_TIERS_refuse_une_prolongation_qui_depasse(etant_donne, quand):
    etant_donne(fait("EleveInscrit", **PARCOURS_84_JOURS),
                fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 10, 1)))
    refuse(quand(fait("PfmpTerminee", date_fin=date(2024, 11, 1))), "PFMP_DEUX_TIERS")
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 9, 20))))


def test_STAGE_SANS_CHEVAUCHEMENT_refuse_deux_periodes_qui_se_chevauchent(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PfmpDebutee"))
    r = quand(fait("StageDebute", date_debut=date(2024, 10, 31), date_fin_prevue=date(2024, 11, 8)))
    refuse(r, "STAGE_SANS_CHEVAUCHEMENT")
    assert "pfmp-1" in r.message and "stage-1" in r.message


def test_STAGE_SANS_CHEVAUCHEMENT_accepte_deux_periodes_qui_se_suivent(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PfmpDebutee"))
    accepte(quand(fait("StageDebute", date_debut=date(2024, 11, 1),
                       date_fin_prevue=date(2024, 11, 8))))


def test_SIRET_INVALIDE_refuse_une_entreprise_au_siret_invalide(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    r = quand(fait("PfmpDebutee", siret="75000000000001"))
    refuse(r, "SIRET_INVALIDE")
    assert "Luhn" in r.message


def test_DUREE_MAX_4_MOIS_refuse_une_pfmp_qui_finit_apres_le_parcours(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("PfmpDebutee", date_debut=date(2024, 12, 16),
                      date_fin_prevue=date(2025, 1, 10))), "DUREE_MAX_4_MOIS")


def test_FAIT_INVALIDE_refuse_la_fin_d_une_periode_inconnue(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("PfmpTerminee", periode_id="inconnue")), "FAIT_INVALIDE")


def test_PFMP_DEUX_TIERS_refuse_une_fin_prevue_avancee_qui_ferait_depasser_les_deux_tiers(
        etant_donne, quand):
    """The 2/3 bound holds on the planned duration: a lycée's correction that shortens the
    parcours below what is already planned in enterprise is refused, with the figures."""
    etant_donne(fait("EleveInscrit", **PARCOURS_84_JOURS),
                fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 10, 1)))
    # 30 days in enterprise: a parcours of 44 days allows 29, one of 45 days allows 30
    r = quand(fait("InscriptionCorrigee", date=date(2024, 9, 10), date_fin_prevue=date(2024, 10, 15)))
    refuse(r, "PFMP_DEUX_TIERS")
    assert r.message == ("PFMP_DEUX_TIERS: 30 days of PFMP/stage would exceed 2/3 of the 44-day "
                         "parcours (29 days)")
    accepte(quand(fait("InscriptionCorrigee", date=date(2024, 9, 10), date_fin_prevue=date(2024, 10, 16))))
