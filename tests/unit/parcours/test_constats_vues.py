"""Given / When / Then: what the views make of facts the domain accepts after a closure or a
re-entry. The facts are decided by the parcours application, their domain events encoded and
decoded as the views receive them, then folded by the views' own fold (``suivi``), one row per
parcours number as the lycée, mission-locale and PSAD views keep them."""
from __future__ import annotations

from datetime import date

import pytest
from aide_parcours import accepte, refuse

from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.parcours.exemples import AUTRE_UAI, fait
from ambition.parcours.faits import LYCEE, Emetteur
from ambition_projections import suivi
from ambition_projections.journal import Journal

LYCEE_B = Emetteur(LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return Registry.load(Settings().schemas_dir)


@pytest.fixture
def vues(app, registry):
    """The élève's rows by parcours number, folded from every domain event stored so far."""
    def _vues() -> dict[int, dict]:
        rangees: dict[int, dict] = {}
        for _, rec in Journal(app, registry).lire(1, 10_000):
            nom = rec["envelope"]["type"].rsplit(".", 1)[1]
            rangees.update(suivi.evoluer_eleve(rangees, nom, rec["parcours"], rec))
        return rangees
    return _vues


# PFMP_DEUX_TIERS: "if an early closure makes it exceed 2/3 of the actual duration, the closure
# stands and the views flag it" -- whatever the order in which the periods arrive
def test_PFMP_DEUX_TIERS_une_periode_tardive_met_a_jour_le_signalement(etant_donne, quand, vues):
    # Given a parcours from 2 September with a PFMP of 29 days, closed early on 15 October:
    # 44 days, of which 2/3 is 29.3 -- not past 2/3
    etant_donne(fait("EleveInscrit"),
                fait("PfmpDebutee", date_debut=date(2024, 9, 2), date_fin_prevue=date(2024, 9, 30)),
                fait("AbandonDeclare", date=date(2024, 10, 15)))
    assert vues()[1]["depassement_deux_tiers"] is False
    # When a second PFMP dated before the closure (1 .. 10 October) arrives after it
    accepte(quand(fait("PfmpDebutee", periode_id="pfmp-2", date_debut=date(2024, 10, 1),
                       date_fin_prevue=date(2024, 10, 10))))
    # Then the views count 39 days in enterprise and flag the excess
    assert (vues()[1]["jours_pfmp"], vues()[1]["depassement_deux_tiers"]) == (39, True)
    # and when its actual end comes, earlier, the flag follows (33 days: still past 29.3)
    accepte(quand(fait("PfmpTerminee", periode_id="pfmp-2", date_fin=date(2024, 10, 4))))
    assert (vues()[1]["jours_pfmp"], vues()[1]["depassement_deux_tiers"]) == (33, True)


def test_PFMP_DEUX_TIERS_la_fin_reelle_d_une_periode_peut_lever_le_signalement(
        etant_donne, quand, vues):
    # Given a PFMP planned 2 September .. 15 October, open at a withdrawal on 15 October:
    # 44 days of 44, flagged
    etant_donne(fait("EleveInscrit"),
                fait("PfmpDebutee", date_debut=date(2024, 9, 2),
                     date_fin_prevue=date(2024, 10, 15)),
                fait("AbandonDeclare", date=date(2024, 10, 15)))
    assert vues()[1]["depassement_deux_tiers"] is True
    # When its actual end (20 September: 19 days) arrives after the closure
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 9, 20))))
    # Then the views no longer flag it
    assert (vues()[1]["jours_pfmp"], vues()[1]["depassement_deux_tiers"]) == (19, False)


# PACEA_AGE: "A PACEA is the mission locale's contract: it may go on after the parcours closes"
def test_PACEA_AGE_un_pacea_en_cours_se_voit_dans_le_parcours_suivant(etant_donne, quand, vues):
    # Given a PACEA signed during parcours 1, still running after its bilan
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PaceaSigne"),
                fait("BilanRealise"))
    # When the élève re-enters the next school year
    etant_donne(fait("EleveInscrit", session_examen=2025, date_debut=date(2025, 9, 1),
                     date_fin_prevue=date(2025, 12, 19)))
    # Then parcours 2 shows the PACEA in progress, as parcours 1 does
    assert (vues()[1]["pacea"], vues()[2]["pacea"]) == (True, True)
    # and when the PACEA ends, neither parcours shows it any longer
    accepte(quand(fait("PaceaTermine", date_fin=date(2025, 9, 30))))
    assert (vues()[1]["pacea"], vues()[2]["pacea"]) == (False, False)


def test_PACEA_AGE_un_pacea_termine_ne_passe_pas_au_parcours_suivant(etant_donne, vues):
    # Given a PACEA signed and ended during parcours 1
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PaceaSigne"),
                fait("PaceaTermine", date_fin=date(2024, 12, 13)), fait("BilanRealise"))
    # When the élève re-enters
    etant_donne(fait("EleveInscrit", session_examen=2025, date_debut=date(2025, 9, 1),
                     date_fin_prevue=date(2025, 12, 19)))
    # Then parcours 2 has no PACEA
    assert (vues()[1]["pacea"], vues()[2]["pacea"]) == (False, False)


# ISSUE_UNIQUE: "A fact dated on or before the closure date that arrives after it is accepted";
# every parcours is its own, so a late fact of parcours 1 still belongs to parcours 1 once
# parcours 2 has opened
def test_ISSUE_UNIQUE_un_fait_tardif_du_parcours_1_est_accepte_apres_l_ouverture_du_2(
        app, etant_donne, quand, vues):
    # Given parcours 1 at lycée A (accueil, a PFMP from 1 October), closed by a bilan on
    # 20 December, and parcours 2 at lycée B from 21 December
    etant_donne(fait("EleveInscrit"), fait("AccueilRealise"), fait("PfmpDebutee"),
                fait("BilanRealise"),
                fait("EleveInscrit", emetteur=LYCEE_B, uai=AUTRE_UAI, date_debut=date(2024, 12, 21),
                     date_fin_prevue=date(2025, 3, 31)))
    # When facts of parcours 1, dated before its closure, arrive now
    accepte(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 2))))
    accepte(quand(fait("ActiviteMissionLocaleRealisee", date=date(2024, 12, 3))))
    accepte(quand(fait("PfmpTerminee", date_fin=date(2024, 10, 25))))
    # Then they are recorded for parcours 1, which the views show, and parcours 2 is untouched
    p = app.parcours(fait("EleveInscrit").cle)
    derniers = list(app.events.get(p.id))[-3:]
    assert [e.numero for e in derniers] == [1, 1, 1]
    assert (p.numero, p.uai, p.activites, p.periodes) == (2, AUTRE_UAI, [], {})
    v = vues()
    assert v[1]["activites"][-2:] == ["2024-12-02", "2024-12-03"] and v[1]["jours_pfmp"] == 25
    assert (v[2]["uai"], v[2]["activites"], v[2]["jours_pfmp"]) == (AUTRE_UAI, [], None)
    # and a fact of lycée A dated within parcours 2 is still refused
    refuse(quand(fait("ActiviteLyceeRealisee", date=date(2024, 12, 23))), "EMETTEUR_AUTORISE")
