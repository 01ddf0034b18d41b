"""Given / When / Then: the findings of the review of the rules engine, each as the arrêté and
DOMAIN.md mean it (the views' side of findings 1, 5 and 11 is in
tests/integration/projections/test_parcours_successifs.py)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from aide_parcours import accepte, refuse

from ambition.parcours.exemples import AUTRE_SIRET_ML, AUTRE_UAI, SIRET_ML, UAI, fait
from ambition.parcours.faits import FOQUALE, LYCEE, MISSION_LOCALE, Emetteur

LYCEE_B = Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}")
ML_B = Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}")


def evenements(app, nom):
    p = app.parcours(fait("EleveInscrit").cle)
    return [e for e in app.events.get(p.id) if type(e).__name__ == nom]


# 1. every parcours its own: the number is in the events (views: integration test)
def test_1_un_second_parcours_porte_son_numero_et_garde_le_premier(app, etant_donne):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"),
                fait("EleveInscrit", emetteur=LYCEE_B, uai=AUTRE_UAI, date_debut=date(2024, 12, 21),
                     date_fin_prevue=date(2025, 3, 31)))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.numero, p.uai, p.ouvert) == (2, AUTRE_UAI, True)
    assert p.historique[1] == {"issue": "FORMATION", "date_cloture": date(2024, 12, 20),
                               "emetteur": f"ml:{SIRET_ML}", "uai": UAI}
    assert [e.numero for e in evenements(app, "EleveInscrit")] == [1, 2]


# 2. closing facts have date bounds
def test_2_CHRONOLOGIE_une_cloture_n_est_pas_datee_avant_un_fait_enregistre(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("ActiviteLyceeRealisee", date=date(2024, 11, 20)),
                fait("PfmpDebutee", date_debut=date(2024, 11, 25), date_fin_prevue=date(2024, 12, 6)))
    r = quand(fait("AbandonDeclare", date=date(2024, 10, 1)))
    refuse(r, "CHRONOLOGIE")
    assert "2024-11-25" in r.message


def test_2_DUREE_MAX_4_MOIS_une_cloture_reste_dans_les_4_mois(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"))
    refuse(quand(fait("BilanRealise", date=date(2099, 12, 31), time=datetime(2099, 12, 31, 12,
                                                                              tzinfo=timezone.utc))),
           "DUREE_MAX_4_MOIS")
    refuse(quand(fait("AbandonDeclare", date=date(2031, 1, 1), time=datetime(2031, 1, 1, 12,
                                                                             tzinfo=timezone.utc))),
           "DUREE_MAX_4_MOIS")
    accepte(quand(fait("BilanRealise", date=date(2025, 1, 2))))  # start 2024-09-02 + 4 months


# 3. accueil before activity, by date
def test_3_ACCUEIL_ML_AVANT_ACTIVITE_par_la_date(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise", date=date(2024, 10, 10)))
    for f in (fait("ActiviteMissionLocaleRealisee", date=date(2024, 9, 4)),
              fait("PaceaSigne", date_signature=date(2024, 9, 5)),
              fait("StageDebute", date_debut=date(2024, 9, 9), date_fin_prevue=date(2024, 9, 13)),
              fait("BilanRealise", date=date(2024, 9, 20))):
        r = quand(f)
        refuse(r, "ACCUEIL_ML_AVANT_ACTIVITE")
        assert "2024-10-10" in r.message
    accepte(quand(fait("ActiviteMissionLocaleRealisee", date=date(2024, 10, 10))))


# 4. the start date: first term of the school year, not before the programme
def test_4_DEBUT_RENTREE_au_premier_trimestre_seulement(quand):
    r = quand(fait("EleveInscrit", session_examen=2025, date_debut=date(2026, 7, 15),
                   date_fin_prevue=date(2026, 7, 31)))
    refuse(r, "DEBUT_RENTREE")
    assert "first term" in r.message
    refuse(quand(fait("EleveInscrit", session_examen=2024, date_debut=date(2025, 1, 6),
                      date_fin_prevue=date(2025, 4, 30))), "DEBUT_RENTREE")
    accepte(quand(fait("EleveInscrit", date_debut=date(2024, 12, 31),
                       date_fin_prevue=date(2025, 4, 30))))


def test_4_DEBUT_RENTREE_pas_avant_la_premiere_annee_du_parcours(quand):
    r = quand(fait("EleveInscrit", session_examen=2022, date_debut=date(2022, 9, 5),
                   date_fin_prevue=date(2022, 12, 16), date_naissance=date(2004, 3, 15)))
    refuse(r, "DEBUT_RENTREE")
    assert "2023" in r.message


# 5. rights end at the closure (the views read them from ParcoursClos)
def test_5_les_droits_prennent_fin_a_la_cloture_quelle_que_soit_l_issue(app, etant_donne):
    etant_donne(fait("EleveInscrit", boursier=True, interne=True), fait("AbandonDeclare"))
    p = app.parcours(fait("EleveInscrit").cle)
    assert not any(p.droits.values())
    clos = evenements(app, "ParcoursClos")[-1]
    assert (clos.droits_jusqu_au, clos.statut_scolaire_conserve, clos.statut_structure_accueil) \
        == (date(2024, 11, 15), True, False)


# 6. nothing dangling at closure: open periods, PACEA
def test_6_une_periode_et_un_pacea_en_cours_se_terminent_apres_la_cloture(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PaceaSigne"),
                fait("StageDebute", date_debut=date(2024, 12, 2), date_fin_prevue=date(2024, 12, 20)),
                fait("BilanRealise", date=date(2024, 12, 13)))
    clos = evenements(app, "ParcoursClos")[-1]
    assert clos.periodes_terminees == [f"ml:{SIRET_ML}/stage-1"]
    assert clos.jours_en_entreprise == 12  # 2 .. 13 December, the rest after the closure
    accepte(quand(fait("StageTermine", date_fin=date(2024, 12, 20))))
    accepte(quand(fait("PaceaTermine", date_fin=date(2025, 3, 1))))
    assert app.parcours(fait("EleveInscrit").cle).jours_en_entreprise == 12


def test_6_une_reinscription_garde_le_pacea_en_cours(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PaceaSigne"),
                fait("BilanRealise"),
                fait("EleveInscrit", session_examen=2025, date_debut=date(2025, 9, 1),
                     date_fin_prevue=date(2025, 12, 19)))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.numero, p.pacea_signe_le, p.pacea_en_cours) == (2, date(2024, 9, 20), True)
    accepte(quand(fait("PaceaTermine", date_fin=date(2025, 9, 30))))


def test_6_PFMP_DEUX_TIERS_une_cloture_anticipee_est_signalee(app, etant_donne):
    etant_donne(fait("EleveInscrit"),
                fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 10, 15)),
                fait("AbandonDeclare", date=date(2024, 10, 15)))
    clos = evenements(app, "ParcoursClos")[-1]
    assert (clos.jours_en_entreprise, clos.duree_jours, clos.depassement_deux_tiers) == (44, 44, True)


# 7. period ids belong to their emitter
def test_7_les_identifiants_de_periode_sont_propres_a_chaque_emetteur(etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"),
                fait("PfmpDebutee", periode_id="1", date_debut=date(2024, 10, 1),
                     date_fin_prevue=date(2024, 10, 11)))
    accepte(quand(fait("StageDebute", periode_id="1", date_debut=date(2024, 11, 4),
                       date_fin_prevue=date(2024, 11, 8))))
    accepte(quand(fait("StageTermine", periode_id="1", date_fin=date(2024, 11, 8))))
    accepte(quand(fait("PfmpTerminee", periode_id="1", date_fin=date(2024, 10, 11))))


# 8. corrections
def test_8_une_correction_d_issue_nomme_le_parcours_qu_elle_corrige(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"),
                fait("EleveInscrit", session_examen=2025, date_debut=date(2025, 9, 1),
                     date_fin_prevue=date(2025, 12, 19)))
    refuse(quand(fait("IssueCorrigee", numero=2, date=date(2025, 9, 10))), "ISSUE_UNIQUE")
    accepte(quand(fait("IssueCorrigee", numero=1, issue="EMPLOI", date=date(2025, 9, 10))))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.historique[1]["issue"], p.numero, p.issue) == ("EMPLOI", 2, None)
    correction = evenements(app, "IssueCorrigee")[-1]
    assert (correction.numero, correction.statut_scolaire_conserve) == (1, True)


def test_8_un_abandon_sans_accueil_est_corrige_par_le_lycee(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AbandonDeclare"))
    refuse(quand(fait("IssueCorrigee", numero=1)), "EMETTEUR_AUTORISE")  # the ML did not close it
    accepte(quand(fait("IssueCorrigee", numero=1, issue="EMPLOI", emetteur=Emetteur(
        LYCEE, UAI, f"lycee:{UAI}"))))
    assert app.parcours(fait("EleveInscrit").cle).issue == "EMPLOI"


def test_8_le_lycee_corrige_les_donnees_d_inscription(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit", boursier=False),
                fait("PfmpDebutee", date_debut=date(2024, 10, 1), date_fin_prevue=date(2024, 10, 31)))
    refuse(quand(fait("InscriptionCorrigee", date_fin_prevue=date(2025, 1, 3))), "DUREE_MAX_4_MOIS")
    refuse(quand(fait("InscriptionCorrigee", date_fin_prevue=date(2024, 10, 20))),
           "DUREE_MAX_4_MOIS")  # a recorded period runs to 31 October
    accepte(quand(fait("InscriptionCorrigee", date_fin_prevue=date(2024, 12, 20), boursier=True,
                       referent="Mme Petit")))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.date_fin_prevue, p.boursier, p.referent) == (date(2024, 12, 20), True, "Mme Petit")


# 9. re-entry after a withdrawal
def test_9_UN_SEUL_PARCOURS_reprise_apres_un_abandon_la_meme_annee(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AbandonDeclare", date=date(2024, 9, 20)))
    accepte(quand(fait("EleveInscrit", date_debut=date(2024, 10, 1),
                       date_fin_prevue=date(2025, 1, 31))))
    assert app.parcours(fait("EleveInscrit").cle).numero == 2


# 10. a Foquale/MLDS network acts only for its académie
def test_10_EMETTEUR_AUTORISE_foquale_d_une_autre_academie(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))  # a Paris lycée
    lille = Emetteur(FOQUALE, "ac-lille", "foquale:ac-lille")
    r = quand(fait("SolutionProposee", emetteur=lille))
    refuse(r, "EMETTEUR_AUTORISE")
    assert "ac-paris" in r.message
    refuse(quand(fait("PositionnementRealise", emetteur=lille)), "EMETTEUR_AUTORISE")
    accepte(quand(fait("PositionnementRealise")))


# 11. a mission-locale move
def test_11_le_lycee_declare_un_changement_de_mission_locale(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("ActiviteMissionLocaleRealisee"))
    refuse(quand(fait("AccueilRealise", siret=AUTRE_SIRET_ML, emetteur=ML_B,
                      date=date(2024, 10, 20))), "EMETTEUR_AUTORISE")
    accepte(quand(fait("MissionLocaleChangee", date=date(2024, 10, 15))))
    refuse(quand(fait("ActiviteMissionLocaleRealisee", date=date(2024, 10, 16))),
           "EMETTEUR_AUTORISE")  # the former one may no longer act
    refuse(quand(fait("ActiviteMissionLocaleRealisee", emetteur=ML_B, date=date(2024, 10, 16))),
           "ACCUEIL_ML_AVANT_ACTIVITE")
    accepte(quand(fait("AccueilRealise", siret=AUTRE_SIRET_ML, emetteur=ML_B,
                       conseiller="cons-7", date=date(2024, 10, 20))))
    accepte(quand(fait("ActiviteMissionLocaleRealisee", emetteur=ML_B, date=date(2024, 10, 21))))
    p = app.parcours(fait("EleveInscrit").cle)
    assert (p.mission_locale, p.conseiller, p.date_accueil) == (AUTRE_SIRET_ML, "cons-7",
                                                                date(2024, 10, 20))


# 12. one code per defect; La Poste's SIRETs
def test_12_SIRET_INVALIDE_un_seul_code_et_l_exception_de_la_poste(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    refuse(quand(fait("PfmpDebutee", siret="75000000000001")), "SIRET_INVALIDE")
    accepte(quand(fait("PfmpDebutee", siret="35600000000001")))  # La Poste: digit sum 15


# 13. "today" and the declaration day are read in Europe/Paris
def test_13_CHRONOLOGIE_pas_de_fait_date_apres_sa_declaration(etant_donne, quand):
    etant_donne(fait("EleveInscrit"))
    veille_a_paris = datetime(2024, 9, 9, 21, 30, tzinfo=timezone.utc)  # 23:30 on 9 Sept in Paris
    r = quand(fait("ActiviteLyceeRealisee", date=date(2024, 9, 10), time=veille_a_paris))
    refuse(r, "CHRONOLOGIE")
    assert "2024-09-09" in r.message
    accepte(quand(fait("ActiviteLyceeRealisee", date=date(2024, 9, 10),
                       time=datetime(2024, 9, 9, 22, 30, tzinfo=timezone.utc))))  # 00:30 in Paris


def test_13_aujourd_hui_est_le_jour_a_paris():
    from ambition.parcours.regles_temps import aujourd_hui, jour_de_declaration
    assert jour_de_declaration(datetime(2024, 12, 31, 23, 30, tzinfo=timezone.utc)) == date(2025, 1, 1)
    assert aujourd_hui(datetime(2024, 6, 30, 22, 15, tzinfo=timezone.utc)) == date(2024, 7, 1)


# 14. a late fact dated before the closure is accepted after it
def test_14_ISSUE_UNIQUE_un_fait_tardif_date_avant_la_cloture_est_accepte(app, etant_donne, quand):
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("BilanRealise"))
    accepte(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 2))))
    accepte(quand(fait("PfmpDebutee", date_debut=date(2024, 12, 9),
                       date_fin_prevue=date(2024, 12, 31))))
    refuse(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 21))), "ISSUE_UNIQUE")
    refuse(quand(fait("AbandonDeclare", date=date(2024, 12, 1))), "ISSUE_UNIQUE")
    assert app.parcours(fait("EleveInscrit").cle).jours_en_entreprise == 12  # 9 .. 20 December
