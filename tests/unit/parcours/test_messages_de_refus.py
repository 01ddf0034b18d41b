"""Known answers: the reason code AND the message a partner reads for each refusal.

"The message names the facts so a partner can fix its data" (regles.py): every expected message
below is written by hand from the default example parcours (exemples.py: 2024-09-02 ..
2024-12-31, lycée 0753268V, mission locale 12345678901237 welcomed on 2024-09-05), not taken
from the code. Then what an accepted fact records, field by field (docs/evenements.md).
"""
from __future__ import annotations

from datetime import date

import pytest
from aide_parcours import accepte

from ambition.parcours.exemples import AUTRE_SIRET_ML, AUTRE_UAI, SIRET_ML, UAI, fait
from ambition.parcours.faits import FOQUALE, LYCEE, MISSION_LOCALE, REFUSE, Emetteur

AUTRE_ML = Emetteur(MISSION_LOCALE, AUTRE_SIRET_ML, f"ml:{AUTRE_SIRET_ML}")
LYCEE_B = Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}")
FOQUALE_LYON = Emetteur(FOQUALE, "ac-lyon", "foquale:ac-lyon")
PERIODE = "the parcours 2024-09-02 .. 2024-12-31"
SIRET_FAUX = "12345678901234"  # Luhn key wrong


def inscrit():
    return fait("EleveInscrit")


def accueilli():
    return (fait("EleveInscrit"), fait("AccueilRealise"))


def clos():
    return (*accueilli(), fait("BilanRealise"))


CAS = {
    # enrolment
    "enrolment naming another lycée than its sender": (
        (), fait("EleveInscrit", emetteur=LYCEE_B),
        f"EMETTEUR_AUTORISE: EleveInscrit from {AUTRE_UAI}, but this parcours's enrolling lycée "
        f"(payload uai) is {UAI}"),
    "enrolment with a wrong UAI key": (
        (), fait("EleveInscrit", uai="0753268X", emetteur=Emetteur(LYCEE, "0753268X", "lycee:0753268X")),
        "IDENTIFIANT_INVALIDE: UAI '0753268X' is not valid (7 digits + key letter)"),
    "enrolment with an invalid INE (not repeated)": (
        (), fait("EleveInscrit", ine="123"),
        "IDENTIFIANT_INVALIDE: the INE is not valid ([0-9A-Z]{10}[A-Z])"),
    "enrolment in employment": (
        (), fait("EleveInscrit", en_emploi=True),
        "ELIGIBILITE_SITUATION: the élève is declared in employment at entry"),
    "enrolment in training": (
        (), fait("EleveInscrit", en_formation=True),
        "ELIGIBILITE_SITUATION: the élève is declared in training at entry"),
    "enrolment without consent": (
        (), fait("EleveInscrit", consentement_eleve=False),
        "VOLONTARIAT: the élève's consent is not recorded"),
    "enrolment of a minor without the guardian's consent": (
        (), fait("EleveInscrit", date_naissance=date(2007, 3, 15)),
        "VOLONTARIAT: the élève is under 18 at the start date and the legal guardian's consent is "
        "not recorded"),
    "enrolment ending before it starts": (
        (), fait("EleveInscrit", date_fin_prevue=date(2024, 9, 1)),
        "CHRONOLOGIE: the parcours ends (2024-09-01) before it starts (2024-09-02)"),
    # mission locale
    "PACEA ended, none in progress": (
        accueilli(), fait("PaceaTermine"), "FAIT_INVALIDE: no PACEA in progress"),
    "PACEA ended by another mission locale": (
        (*accueilli(), fait("PaceaSigne")), fait("PaceaTermine", emetteur=AUTRE_ML),
        f"EMETTEUR_AUTORISE: PaceaTermine from ml:{AUTRE_SIRET_ML}, but this parcours's "
        f"PACEA's mission locale is ml:{SIRET_ML}"),
    "PACEA ended before signed": (
        (*accueilli(), fait("PaceaSigne")), fait("PaceaTermine", date_fin=date(2024, 9, 19)),
        "CHRONOLOGIE: the PACEA ends (2024-09-19) before it starts (2024-09-20)"),
    "PACEA signed after the planned end": (
        accueilli(), fait("PaceaSigne", date_signature=date(2025, 1, 2)),
        f"DUREE_MAX_4_MOIS: PACEA signature dated 2025-01-02 is outside {PERIODE}"),
    "second PACEA": (
        (*accueilli(), fait("PaceaSigne")), fait("PaceaSigne", date_signature=date(2024, 10, 1)),
        "PACEA_AGE: a PACEA is already in progress: one at a time"),
    "PACEA at 26": (
        (fait("EleveInscrit", date_naissance=date(1998, 10, 1)), fait("AccueilRealise")),
        fait("PaceaSigne", date_signature=date(2024, 10, 1)),
        "PACEA_AGE: on 2024-10-01 the young person is not aged 16 to 25"),
    "accueil with an invalid SIRET": (
        (inscrit(),), fait("AccueilRealise", siret=SIRET_FAUX,
                           emetteur=Emetteur(MISSION_LOCALE, SIRET_FAUX, f"ml:{SIRET_FAUX}")),
        f"SIRET_INVALIDE: mission locale SIRET '{SIRET_FAUX}' is not valid (14 digits with a "
        "Luhn key; La Poste: digit sum a multiple of 5)"),
    "accueil naming another mission locale than its sender": (
        (inscrit(),), fait("AccueilRealise", emetteur=AUTRE_ML),
        f"EMETTEUR_AUTORISE: AccueilRealise from {AUTRE_SIRET_ML}, but this parcours's mission "
        f"locale (payload siret) is {SIRET_ML}"),
    "accueil by a second mission locale": (
        accueilli(), fait("AccueilRealise", emetteur=AUTRE_ML, siret=AUTRE_SIRET_ML),
        f"EMETTEUR_AUTORISE: AccueilRealise from {AUTRE_SIRET_ML}, but this parcours's mission "
        f"locale is {SIRET_ML}"),
    "accueil before the start": (
        (inscrit(),), fait("AccueilRealise", date=date(2024, 8, 30)),
        f"DUREE_MAX_4_MOIS: accueil dated 2024-08-30 is outside {PERIODE}"),
    "unknown mission-locale activity": (
        accueilli(), fait("ActiviteMissionLocaleRealisee", activite="DANSE"),
        "FAIT_INVALIDE: unknown mission-locale activity 'DANSE'"),
    "mission-locale activity after the planned end": (
        accueilli(), fait("ActiviteMissionLocaleRealisee", date=date(2025, 1, 3)),
        f"DUREE_MAX_4_MOIS: activity ATELIER_TRE dated 2025-01-03 is outside {PERIODE}"),
    "unknown stage nature": (
        accueilli(), fait("StageDebute", nature="CDD"), "FAIT_INVALIDE: unknown stage nature 'CDD'"),
    "unknown outcome of a bilan": (
        accueilli(), fait("BilanRealise", issue="VACANCES"), "FAIT_INVALIDE: unknown outcome 'VACANCES'"),
    "bilan after start + 4 months": (
        accueilli(), fait("BilanRealise", date=date(2025, 1, 3)),
        "DUREE_MAX_4_MOIS: bilan dated 2025-01-03 is outside the parcours 2024-09-02 .. 2025-01-02"),
    "bilan before a recorded fact": (
        (*accueilli(), fait("ActiviteMissionLocaleRealisee")),
        fait("BilanRealise", date=date(2024, 9, 24)),
        "CHRONOLOGIE: bilan dated 2024-09-24 is before a fact already recorded, dated 2024-09-25"),
    "bilan without the référent": (
        accueilli(), fait("BilanRealise", participants=["JEUNE", "CONSEILLER_ML"]),
        "BILAN_TRIPARTITE: the bilan misses REFERENT_PARCOURS"),
    "PACEA before any accueil": (
        (inscrit(),), fait("PaceaSigne"),
        "ACCUEIL_ML_AVANT_ACTIVITE: PaceaSigne before the mission locale's accueil"),
    "activity dated before the accueil": (
        accueilli(), fait("ActiviteMissionLocaleRealisee", date=date(2024, 9, 4)),
        "ACCUEIL_ML_AVANT_ACTIVITE: ActiviteMissionLocaleRealisee dated 2024-09-04, before the "
        "mission locale's accueil of 2024-09-05"),
    "bilan with the young person alone": (
        accueilli(), fait("BilanRealise", participants=["JEUNE"]),
        "BILAN_TRIPARTITE: the bilan misses CONSEILLER_ML, REFERENT_PARCOURS"),
    "stage ending the day a PFMP starts": (
        (*accueilli(), fait("PfmpDebutee")),
        fait("StageDebute", date_debut=date(2024, 9, 20), date_fin_prevue=date(2024, 10, 1)),
        f"STAGE_SANS_CHEVAUCHEMENT: period ml:{SIRET_ML}/stage-1 (2024-09-20 .. 2024-10-01) "
        "overlaps period lycee:0753268V/pfmp-1 (2024-10-01 .. 2024-10-31)"),
    "unknown stage to end": (
        accueilli(), fait("StageTermine", periode_id="stage-9"),
        f"FAIT_INVALIDE: no STAGE/IMMERSION period stage-9 of ml:{SIRET_ML} in this parcours"),
    "activity of another mission locale than the accueil's": (
        accueilli(), fait("ActiviteMissionLocaleRealisee", emetteur=AUTRE_ML),
        f"EMETTEUR_AUTORISE: ActiviteMissionLocaleRealisee from {AUTRE_SIRET_ML}, but this "
        f"parcours's mission locale is {SIRET_ML}"),
    "activity of another lycée": (
        (inscrit(),), fait("ActiviteLyceeRealisee", emetteur=LYCEE_B),
        f"EMETTEUR_AUTORISE: ActiviteLyceeRealisee from {AUTRE_UAI}, but this parcours's lycée "
        f"is {UAI}"),
    "positionnement by the network of another académie": (
        (inscrit(),), fait("PositionnementRealise", emetteur=FOQUALE_LYON),
        "EMETTEUR_AUTORISE: PositionnementRealise from ac-lyon, but this parcours's Foquale/MLDS "
        "network (the lycée's académie) is ac-paris"),
    # enterprise periods (lycée)
    "PFMP in an enterprise with an invalid SIRET": (
        (inscrit(),), fait("PfmpDebutee", siret=SIRET_FAUX),
        f"SIRET_INVALIDE: enterprise SIRET '{SIRET_FAUX}' is not valid (14 digits with a "
        "Luhn key; La Poste: digit sum a multiple of 5)"),
    "PFMP started twice": (
        (inscrit(), fait("PfmpDebutee")), fait("PfmpDebutee", date_debut=date(2024, 11, 4),
                                               date_fin_prevue=date(2024, 11, 8)),
        "FAIT_INVALIDE: period pfmp-1 was already started"),
    "PFMP ending before it starts": (
        (inscrit(),), fait("PfmpDebutee", date_debut=date(2024, 10, 10), date_fin_prevue=date(2024, 10, 5)),
        "CHRONOLOGIE: period pfmp-1 ends (2024-10-05) before it starts (2024-10-10)"),
    "PFMP starting before the parcours": (
        (inscrit(),), fait("PfmpDebutee", date_debut=date(2024, 8, 30), date_fin_prevue=date(2024, 9, 10)),
        f"DUREE_MAX_4_MOIS: PFMP pfmp-1 dated 2024-08-30 is outside {PERIODE}"),
    "PFMP ending after the parcours": (
        (inscrit(),), fait("PfmpDebutee", date_debut=date(2024, 12, 20), date_fin_prevue=date(2025, 1, 10)),
        f"DUREE_MAX_4_MOIS: PFMP pfmp-1 dated 2025-01-10 is outside {PERIODE}"),
    "PFMP over 2/3 of the parcours": (
        # 2024-09-02 .. 2024-12-31 is 29 + 31 + 30 + 31 = 121 days; 2/3 is 80.67: 81 days are too many
        (inscrit(),), fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 11, 21)),
        "PFMP_DEUX_TIERS: 81 days of PFMP/stage would exceed 2/3 of the 121-day parcours (80 days)"),
    "unknown PFMP to end": (
        (inscrit(), fait("PfmpDebutee")), fait("PfmpTerminee", periode_id="pfmp-9"),
        "FAIT_INVALIDE: no PFMP period pfmp-9 of lycee:0753268V in this parcours"),
    "PFMP ended twice": (
        (inscrit(), fait("PfmpDebutee"), fait("PfmpTerminee")), fait("PfmpTerminee"),
        "FAIT_INVALIDE: period pfmp-1 has already ended"),
    "PFMP ended before it started": (
        (inscrit(), fait("PfmpDebutee")), fait("PfmpTerminee", date_fin=date(2024, 9, 30)),
        "CHRONOLOGIE: period pfmp-1 ends (2024-09-30) before it starts (2024-10-01)"),
    "PFMP ended after the planned end": (
        (inscrit(), fait("PfmpDebutee")), fait("PfmpTerminee", date_fin=date(2025, 1, 2)),
        f"DUREE_MAX_4_MOIS: end of period pfmp-1 dated 2025-01-02 is outside {PERIODE}"),
    "PFMP extended over the next one": (
        (inscrit(), fait("PfmpDebutee"), fait("PfmpDebutee", periode_id="pfmp-2",
                                              date_debut=date(2024, 11, 4), date_fin_prevue=date(2024, 11, 8))),
        fait("PfmpTerminee", date_fin=date(2024, 11, 5)),
        "STAGE_SANS_CHEVAUCHEMENT: period lycee:0753268V/pfmp-1 (2024-10-01 .. 2024-11-05) overlaps "
        "period lycee:0753268V/pfmp-2 (2024-11-04 .. 2024-11-08)"),
    # Foquale / MLDS
    "positionnement after the planned end": (
        (inscrit(),), fait("PositionnementRealise", date=date(2025, 1, 5)),
        f"DUREE_MAX_4_MOIS: positionnement dated 2025-01-05 is outside {PERIODE}"),
    "unknown solution": (
        (inscrit(),), fait("SolutionProposee", solution="VOYAGE"),
        "FAIT_INVALIDE: unknown solution 'VOYAGE'"),
    "solution proposed twice": (
        (inscrit(), fait("SolutionProposee")), fait("SolutionProposee", date=date(2024, 9, 17)),
        "FAIT_INVALIDE: solution sol-1 already proposed"),
    "solution proposed before the start": (
        (inscrit(),), fait("SolutionProposee", date=date(2024, 8, 30)),
        f"DUREE_MAX_4_MOIS: solution REMOBILISATION dated 2024-08-30 is outside {PERIODE}"),
    "solution started, never proposed": (
        (inscrit(),), fait("SolutionDemarree", solution_id="sol-9"),
        "FAIT_INVALIDE: solution sol-9 was never proposed"),
    "solution started twice": (
        (inscrit(), fait("SolutionProposee"), fait("SolutionDemarree")),
        fait("SolutionDemarree", date=date(2024, 9, 24)), "FAIT_INVALIDE: solution sol-1 already started"),
    "solution started before proposed": (
        (inscrit(), fait("SolutionProposee")), fait("SolutionDemarree", date=date(2024, 9, 15)),
        "FAIT_INVALIDE: a solution starts after it is proposed"),
    "solution started after the planned end": (
        (inscrit(), fait("SolutionProposee", date=date(2024, 12, 20))),
        fait("SolutionDemarree", date=date(2025, 1, 2)),
        f"DUREE_MAX_4_MOIS: start of solution sol-1 dated 2025-01-02 is outside {PERIODE}"),
    # lycée
    "référent change after the planned end": (
        (inscrit(),), fait("ReferentChange", date_effet=date(2025, 1, 2)),
        f"DUREE_MAX_4_MOIS: référent change dated 2025-01-02 is outside {PERIODE}"),
    "unknown lycée activity": (
        (inscrit(),), fait("ActiviteLyceeRealisee", activite="SPORT"),
        "FAIT_INVALIDE: unknown lycée activity 'SPORT'"),
    "withdrawal after start + 4 months": (
        (inscrit(),), fait("AbandonDeclare", date=date(2025, 1, 3)),
        "DUREE_MAX_4_MOIS: withdrawal dated 2025-01-03 is outside the parcours 2024-09-02 .. "
        "2025-01-02"),
    # corrections and moves
    "outcome corrected on an open parcours": (
        accueilli(), fait("IssueCorrigee", emetteur=Emetteur(MISSION_LOCALE, SIRET_ML, f"ml:{SIRET_ML}"),
                          numero=1),
        "ISSUE_UNIQUE: no outcome to correct: parcours 1 of this élève is not closed"),
    "outcome corrected by another partner than the closer": (
        clos(), fait("IssueCorrigee", emetteur=AUTRE_ML),
        f"EMETTEUR_AUTORISE: IssueCorrigee from ml:{AUTRE_SIRET_ML}, but this parcours's closer "
        f"of parcours 1 is ml:{SIRET_ML}"),
    "outcome corrected to an unknown one": (
        clos(), fait("IssueCorrigee", issue="VACANCES"), "FAIT_INVALIDE: unknown outcome 'VACANCES'"),
    "outcome corrected before the closure": (
        clos(), fait("IssueCorrigee", date=date(2024, 12, 19)),
        "CHRONOLOGIE: correction dated 2024-12-19 is before the closure of parcours 1 (2024-12-20)"),
    "enrolment corrected naming another parcours": (
        (inscrit(),), fait("InscriptionCorrigee", numero=2),
        "FAIT_INVALIDE: InscriptionCorrigee names parcours 2, the élève's current parcours is 1"),
    "enrolment corrected after the closure": (
        clos(), fait("InscriptionCorrigee", date=date(2024, 12, 21)),
        "FAIT_INVALIDE: parcours 1 is closed: its enrolment data can no longer change"),
    "planned end corrected before the start": (
        (inscrit(),), fait("InscriptionCorrigee", date=date(2024, 9, 2), date_fin_prevue=date(2024, 9, 1)),
        "CHRONOLOGIE: the parcours ends (2024-09-01) before it starts (2024-09-02)"),
    "planned end corrected past 4 months": (
        (inscrit(),), fait("InscriptionCorrigee", date_fin_prevue=date(2025, 1, 3)),
        "DUREE_MAX_4_MOIS: planned end 2025-01-03 is after start 2024-09-02 + 4 months (2025-01-02)"),
    "planned end corrected before a recorded activity": (
        (inscrit(), fait("ActiviteLyceeRealisee", date=date(2024, 9, 20))),
        fait("InscriptionCorrigee", date=date(2024, 9, 15), date_fin_prevue=date(2024, 9, 18)),
        "DUREE_MAX_4_MOIS: a fact already recorded dated 2024-09-20 is outside the parcours "
        "2024-09-02 .. 2024-09-18"),
    "planned end corrected before a PFMP's end": (
        (inscrit(), fait("PfmpDebutee")),
        fait("InscriptionCorrigee", date=date(2024, 10, 2), date_fin_prevue=date(2024, 10, 20)),
        "DUREE_MAX_4_MOIS: a fact already recorded dated 2024-10-31 is outside the parcours "
        "2024-09-02 .. 2024-10-20"),
    "move naming another parcours": (
        accueilli(), fait("MissionLocaleChangee", numero=3),
        "FAIT_INVALIDE: MissionLocaleChangee names parcours 3, the élève's current parcours is 1"),
    "move to an invalid SIRET": (
        accueilli(), fait("MissionLocaleChangee", siret=SIRET_FAUX),
        f"SIRET_INVALIDE: mission locale SIRET '{SIRET_FAUX}' is not valid (14 digits with a "
        "Luhn key; La Poste: digit sum a multiple of 5)"),
    "move to the same mission locale": (
        accueilli(), fait("MissionLocaleChangee", siret=SIRET_ML),
        f"FAIT_INVALIDE: mission locale {SIRET_ML} already serves this parcours"),
    "move after the planned end": (
        accueilli(), fait("MissionLocaleChangee", date=date(2025, 1, 2)),
        f"DUREE_MAX_4_MOIS: transfer dated 2025-01-02 is outside {PERIODE}"),
    "move before the accueil": (
        accueilli(), fait("MissionLocaleChangee", date=date(2024, 9, 4)),
        "CHRONOLOGIE: transfer dated 2024-09-04 is before the accueil of 2024-09-05"),
}


@pytest.mark.parametrize("cas", list(CAS))
def test_le_refus_nomme_les_faits(etant_donne, quand, cas):
    avant, refuse_, message = CAS[cas]
    etant_donne(*avant)
    r = quand(refuse_)
    assert (r.statut, r.code, r.message) == (REFUSE, message.split(":", 1)[0], message)


def _dernier(app, nom):
    p = app.parcours(fait("EleveInscrit").cle)
    return [e for e in app.events.get(p.id) if type(e).__name__ == nom][-1]


def test_un_changement_de_referent_est_enregistre(app, etant_donne, quand):
    etant_donne(inscrit())
    accepte(quand(fait("ReferentChange", referent="Mme Petit", date_effet=date(2024, 10, 1))))
    e = _dernier(app, "ReferentChange")
    assert (e.referent, e.date_effet, e.emetteur) == ("Mme Petit", date(2024, 10, 1), "lycee:0753268V")
    assert app.parcours(fait("EleveInscrit").cle).referent == "Mme Petit"


def test_une_fin_de_pfmp_compte_les_jours_faits(app, etant_donne, quand):
    # PFMP 2024-10-01 .. 2024-10-31 planned, ended on 2024-10-20: 20 days, both ends included
    etant_donne(inscrit(), fait("PfmpDebutee"))
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 10, 20))))
    e = _dernier(app, "PfmpTerminee")
    assert (e.periode_id, e.date_fin, e.jours_en_entreprise) == ("pfmp-1", date(2024, 10, 20), 20)


def test_une_pfmp_prolongee_compte_ses_jours(app, etant_donne, quand):
    # planned 2024-10-01 .. 2024-10-31, extended to 2024-11-05: 31 + 5 = 36 days
    etant_donne(inscrit(), fait("PfmpDebutee"))
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 11, 5))))
    assert _dernier(app, "PfmpTerminee").jours_en_entreprise == 36


def test_une_pfmp_terminee_apres_l_abandon_compte_jusqu_a_l_abandon(app, etant_donne, quand):
    # withdrawal on 2024-10-15 during the PFMP begun 2024-10-01; its end, sent late (10-20),
    # counts the days up to the closure: 10-01 .. 10-15 = 15
    etant_donne(inscrit(), fait("PfmpDebutee"), fait("AbandonDeclare", date=date(2024, 10, 15)))
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 10, 20))))
    assert _dernier(app, "PfmpTerminee").jours_en_entreprise == 15


def test_une_immersion_se_termine_et_compte_ses_jours(app, etant_donne, quand):
    # immersion 2024-11-04 .. 2024-11-22 planned, ended on 2024-11-15: 12 days
    etant_donne(*accueilli(), fait("StageDebute", nature="IMMERSION"))
    accepte(quand(fait("StageTermine", date_fin=date(2024, 11, 15))))
    e = _dernier(app, "StageTermine")
    assert (e.periode_id, e.date_fin, e.jours_en_entreprise) == ("stage-1", date(2024, 11, 15), 12)


def test_un_bilan_enregistre_participants_issue_et_detail(app, etant_donne, quand):
    etant_donne(*accueilli())
    bilan = fait("BilanRealise", detail="CAP en alternance")
    accepte(quand(bilan))
    assert _dernier(app, "ParcoursClos").origine_event_id == bilan.event_id
    e = _dernier(app, "BilanRealise")
    assert (e.date, e.participants, e.issue, e.detail) == (
        date(2024, 12, 20), ["JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"], "FORMATION",
        "CAP en alternance")


def test_une_solution_proposee_puis_demarree_le_meme_jour(app, etant_donne, quand):
    etant_donne(inscrit())
    accepte(quand(fait("SolutionProposee", solution="REMEDIATION", date=date(2024, 9, 16))))
    accepte(quand(fait("SolutionDemarree", date=date(2024, 9, 16))))
    assert app.parcours(fait("EleveInscrit").cle).solutions == {
        "sol-1": {"solution": "REMEDIATION", "proposee_le": date(2024, 9, 16),
                  "demarree_le": date(2024, 9, 16)}}


def test_une_correction_d_inscription_garde_ce_qu_elle_ne_nomme_pas(app, etant_donne, quand):
    etant_donne(inscrit())  # référent M. Durand, boursier, not interne, no social fund
    accepte(quand(fait("InscriptionCorrigee", date_fin_prevue=date(2024, 12, 20), interne=True)))
    e = _dernier(app, "InscriptionCorrigee")
    assert (e.date, e.date_fin_prevue, e.referent, e.boursier, e.interne, e.fonds_sociaux,
            e.motif) == (date(2024, 10, 2), date(2024, 12, 20), "M. Durand", True, True, False,
                         "erreur de saisie")


def test_un_demenagement_nomme_l_ancienne_mission_locale(app, etant_donne, quand):
    etant_donne(*accueilli())
    accepte(quand(fait("MissionLocaleChangee", date=date(2024, 9, 5))))  # the accueil's own day
    e = _dernier(app, "MissionLocaleChangee")
    assert (e.date, e.siret, e.ancienne_mission_locale, e.motif) == (
        date(2024, 9, 5), AUTRE_SIRET_ML, SIRET_ML, "déménagement")


def test_un_demenagement_avant_tout_accueil_est_accepte(app, etant_donne, quand):
    etant_donne(inscrit())
    accepte(quand(fait("MissionLocaleChangee")))
    e = _dernier(app, "MissionLocaleChangee")
    assert (e.siret, e.ancienne_mission_locale) == (AUTRE_SIRET_ML, None)


def test_le_lycee_qui_a_clos_corrige_l_issue_apres_une_reinscription_ailleurs(app, etant_donne,
                                                                              quand):
    # lycée A closed parcours 1 (withdrawal); the élève re-enrolled in lycée B; A still corrects
    # parcours 1, which B's parcours does not stop
    etant_donne(inscrit(), fait("AbandonDeclare", date=date(2024, 10, 15)),
                fait("EleveInscrit", emetteur=LYCEE_B, uai=AUTRE_UAI, date_debut=date(2024, 10, 16),
                     date_fin_prevue=date(2025, 1, 31)))
    accepte(quand(fait("IssueCorrigee", emetteur=Emetteur(LYCEE, UAI, f"lycee:{UAI}"), numero=1,
                       issue="ABANDON", date=date(2024, 10, 20), motif="date corrigée")))
    assert app.parcours(fait("EleveInscrit").cle).historique[1]["issue"] == "ABANDON"


def test_un_anniversaire_du_29_fevrier_tombe_le_1er_mars():
    from ambition.parcours.decisions_lycee import anniversaire

    assert anniversaire(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert anniversaire(date(2008, 2, 29), 16) == date(2024, 2, 29)  # 2024 is a leap year
    assert anniversaire(date(2006, 3, 15), 18) == date(2024, 3, 15)


def test_l_inscription_enregistre_l_annee_scolaire_et_la_minorite(app, etant_donne):
    # born 2007-03-15: 17 on 2024-09-02, a minor (the guardian consented)
    etant_donne(fait("EleveInscrit", date_naissance=date(2007, 3, 15),
                     consentement_representant_legal=True))
    e = _dernier(app, "EleveInscrit")
    assert (e.annee_scolaire, e.mineur, e.pacea_possible_du, e.pacea_possible_au) == (
        2024, True, date(2024, 9, 2), date(2025, 1, 1))


def test_un_pacea_signe_le_dernier_jour_prevu(etant_donne, quand):
    etant_donne(*accueilli())
    accepte(quand(fait("PaceaSigne", date_signature=date(2024, 12, 31))))
