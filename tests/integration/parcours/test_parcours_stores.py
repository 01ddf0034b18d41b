"""The parcours application on real stores: SQLite file and PostgreSQL, same tests."""
from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date

import pytest
from eventsourcing.persistence import IntegrityError

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.parcours import ParcoursApp
from ambition.parcours.exemples import AUTRE_UAI, fait
from ambition.parcours.faits import LYCEE, Emetteur

PARCOURS_COMPLET = ["EleveInscrit", "AccueilRealise", "PaceaSigne", "ActiviteLyceeRealisee",
                    "PfmpDebutee", "PfmpTerminee", "ActiviteMissionLocaleRealisee",
                    "StageDebute", "StageTermine", "PositionnementRealise", "SolutionProposee",
                    "SolutionDemarree", "ReferentChange", "InscriptionCorrigee",
                    "PaceaTermine", "BilanRealise", "IssueCorrigee"]

# every reason code: (given facts, the fact that breaks the rule)
REFUS = {
    "ELIGIBILITE_DIPLOME": ([], fait("EleveInscrit", diplome="BTS")),
    "ELIGIBILITE_SESSION": ([], fait("EleveInscrit", session_examen=2022)),
    "ELIGIBILITE_SITUATION": ([], fait("EleveInscrit", en_emploi=True)),
    "VOLONTARIAT": ([], fait("EleveInscrit", consentement_eleve=False)),
    "UN_SEUL_PARCOURS": (["EleveInscrit"], fait("EleveInscrit")),
    "DEBUT_RENTREE": ([], fait("EleveInscrit", date_debut=date(2024, 8, 30))),
    "DUREE_MAX_4_MOIS": ([], fait("EleveInscrit", date_fin_prevue=date(2025, 2, 1))),
    "PFMP_DEUX_TIERS": (["EleveInscrit"], fait("PfmpDebutee", date_debut=date(2024, 9, 2),
                                               date_fin_prevue=date(2024, 12, 1))),
    "ACCUEIL_ML_AVANT_ACTIVITE": (["EleveInscrit"], fait("PaceaSigne")),
    "PACEA_AGE": (["EleveInscrit", "AccueilRealise", "PaceaSigne"], fait("PaceaSigne")),
    "STAGE_SANS_CHEVAUCHEMENT": (["EleveInscrit", "AccueilRealise", "PfmpDebutee"],
                                 fait("StageDebute", date_debut=date(2024, 10, 15))),
    "BILAN_TRIPARTITE": (["EleveInscrit", "AccueilRealise"],
                         fait("BilanRealise", participants=["JEUNE"])),
    "ISSUE_UNIQUE": (["EleveInscrit", "AbandonDeclare"],
                     fait("ActiviteLyceeRealisee", date=date(2024, 11, 18))),
    "CHRONOLOGIE": (["EleveInscrit", "ActiviteLyceeRealisee"],
                    fait("AbandonDeclare", date=date(2024, 9, 9))),
    "SIRET_INVALIDE": (["EleveInscrit"], fait("PfmpDebutee", siret="75000000000001")),
    "EMETTEUR_AUTORISE": (["EleveInscrit"], fait("ActiviteLyceeRealisee", emetteur=Emetteur(
        LYCEE, AUTRE_UAI, f"lycee:{AUTRE_UAI}"))),
    "IDENTIFIANT_INVALIDE": ([], fait("EleveInscrit", ine="?")),
    "FAIT_INVALIDE": (["EleveInscrit"], fait("SolutionDemarree", solution_id="jamais")),
}


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path):
    """Settings of one store; every app made from them shares that store."""
    if request.param == "sqlite":
        return Settings(var_dir=tmp_path, event_store="")
    return Settings(var_dir=tmp_path, event_store=request.getfixturevalue("postgres_dsn"))


@pytest.fixture
def apps(settings):
    made: list[ParcoursApp] = []

    def nouvelle(cls=ParcoursApp, **env) -> ParcoursApp:
        made.append(make_app(settings, cls, **env))
        return made[-1]
    yield nouvelle
    for app in made:
        app.close()


def test_un_parcours_complet_survit_au_redemarrage(apps, settings):
    faits = [fait(t) for t in PARCOURS_COMPLET]
    assert [r.statut for r in apps().traiter_lot(faits)] == ["ACCEPTE"] * len(faits)
    relue = apps()
    p = relue.parcours(faits[0].cle)
    assert (p.version, p.issue, p.ouvert, p.jours_en_entreprise) == (18, "EMPLOI", False, 50)
    assert relue.identite(faits[0].cle)["ine"] == "RBTGGW1UCXZ"  # the example élève
    assert [r.statut for r in relue.traiter_lot(faits[:2])] == ["DOUBLON", "DOUBLON"]
    conflit = replace(faits[3], empreinte="autre")
    assert relue.traiter_lot([conflit])[0].code == "DOUBLON_CONFLICTUEL"
    relue.oublier(faits[0].cle)
    assert apps().identite(faits[0].cle) is None and apps().parcours(faits[0].cle).version == 18


def test_charger_lit_les_parcours_d_un_lot_en_une_requete_comme_un_par_un(apps):
    complet = [fait(t) for t in PARCOURS_COMPLET]
    autre = fait("EleveInscrit", cle="b" * 64, ine="2345678901B")
    apps().traiter_lot([*complet, autre])
    app = apps()
    cles = {complet[0].cle, autre.cle, "c" * 64}
    lus = app.charger(cles)
    assert set(lus) == cles and lus["c" * 64] is None
    for cle in (complet[0].cle, autre.cle):
        un_par_un = app.parcours(cle)
        assert (lus[cle].id, lus[cle].version, lus[cle].__dict__) == (
            un_par_un.id, un_par_un.version, un_par_un.__dict__)
    assert lus[complet[0].cle].version == 18


def test_make_app_choisit_le_store_des_settings(settings):
    app = make_app(settings)
    try:
        attendu = "postgres" if settings.event_store else "sqlite"
        assert attendu in type(app.recorder).__module__
        if not settings.event_store:
            assert (settings.var_dir / "event-store.sqlite").exists()
    finally:
        app.close()


@pytest.mark.parametrize("code", sorted(REFUS))
def test_chaque_code_de_refus(apps, code):
    donnes, quand = REFUS[code]
    app = apps()
    assert all(r.statut == "ACCEPTE" for r in app.traiter_lot([fait(t) for t in donnes]))
    r = app.traiter_lot([quand])[0]
    assert (r.statut, r.code) == ("REFUSE", code), r


def test_deux_instances_ne_peuvent_pas_gagner_toutes_les_deux(apps):
    a, b = apps(), apps()
    inscription = fait("EleveInscrit")
    a.traiter_lot([inscription])
    pa, pb = a.parcours(inscription.cle), b.parcours(inscription.cle)
    pa.activite_lycee_realisee(origine_event_id="x", emetteur="lycee", empreinte="x",
                               activite="CONSOLIDATION_ACQUIS", date=date(2024, 9, 9),
                               duree_heures=None)
    pb.activite_lycee_realisee(origine_event_id="y", emetteur="lycee", empreinte="y",
                               activite="PREPARATION_EPREUVES", date=date(2024, 9, 9),
                               duree_heures=None)
    a.save(pa)
    with pytest.raises(IntegrityError):
        b.save(pb)
    assert b.parcours(inscription.cle).version == 2


class AppDevancee(ParcoursApp):
    """Between loading a parcours and saving, another processor saves it first."""

    rival: ParcoursApp
    faits_du_rival: list = []

    def charger(self, cles):
        lus = super().charger(cles)
        if self.faits_du_rival:
            self.rival.traiter_lot([self.faits_du_rival.pop(0)])
        return lus


def test_traiter_lot_recharge_et_rejoue_apres_un_conflit(apps):
    rival = apps()
    inscription = fait("EleveInscrit")
    rival.traiter_lot([inscription])
    lent = apps(AppDevancee)
    lent.rival, lent.faits_du_rival = rival, [fait("AccueilRealise")]
    lot = [fait("PositionnementRealise"), fait("ActiviteMissionLocaleRealisee")]
    # 1st attempt: decided on the stale parcours (no accueil), the save conflicts;
    # 2nd attempt: reloaded with the rival's accueil, both facts are accepted
    resultats = lent.traiter_lot(lot)
    assert [r.statut for r in resultats] == ["ACCEPTE", "ACCEPTE"]
    noms = [type(e).__name__ for e in lent.events.get(resultats[0].parcours_id)]
    assert noms == ["EleveInscrit", "AccueilRealise", "PositionnementRealise",
                    "ActiviteMissionLocaleRealisee"]


def test_traiter_lot_abandonne_apres_un_nombre_borne_de_tentatives(apps):
    rival = apps()
    rival.traiter_lot([fait("EleveInscrit")])
    lent = apps(AppDevancee, TENTATIVES_MAX="2")
    lent.rival, lent.faits_du_rival = rival, [fait("ActiviteLyceeRealisee") for _ in range(3)]
    with pytest.raises(IntegrityError):
        lent.traiter_lot([fait("PositionnementRealise")])


def test_deux_processeurs_en_parallele_n_en_perdent_aucun(apps):
    inscription = fait("EleveInscrit")
    apps().traiter_lot([inscription])
    processeurs = [apps(TENTATIVES_MAX="100"), apps(TENTATIVES_MAX="100")]
    lots = [[[fait("ActiviteLyceeRealisee")] for _ in range(15)] for _ in processeurs]
    erreurs: list[BaseException] = []

    def travailler(app, mes_lots):
        try:
            for lot in mes_lots:
                assert app.traiter_lot(lot)[0].statut == "ACCEPTE"
        except BaseException as exc:  # noqa: BLE001  (reported below)
            erreurs.append(exc)

    fils = [threading.Thread(target=travailler, args=a) for a in zip(processeurs, lots)]
    for f in fils:
        f.start()
    for f in fils:
        f.join()
    assert not erreurs
    p = apps().parcours(inscription.cle)
    assert (p.version, len(p.activites)) == (31, 30)


def test_un_parcours_garde_en_memoire_suit_ce_qu_un_autre_processeur_a_decide(apps):
    """A parcours kept in memory by one processor is brought up to date with what another
    stored meanwhile: a PACEA after the other's accueil is accepted, not refused
    ACCUEIL_ML_AVANT_ACTIVITE on the state this one saw last."""
    a, b = apps(), apps()
    assert a.traiter_lot([fait("EleveInscrit")])[0].statut == "ACCEPTE"
    assert b.traiter_lot([fait("AccueilRealise")])[0].statut == "ACCEPTE"
    r = a.traiter_lot([fait("PaceaSigne")])[0]
    assert (r.statut, r.code) == ("ACCEPTE", None)
    assert apps().parcours(fait("EleveInscrit").cle).version == 3


def test_un_lot_qui_echoue_ne_laisse_pas_ses_decisions_en_memoire(apps, monkeypatch):
    """A batch decided but not saved leaves nothing of its decisions behind: the same fact
    redelivered is accepted (not found a duplicate of a fact never stored)."""
    app = apps()
    app.traiter_lot([fait("EleveInscrit")])
    activite = fait("ActiviteLyceeRealisee")
    vraie = app.save

    def panne(*args, **kwargs):
        raise RuntimeError("store away")

    monkeypatch.setattr(app, "save", panne)
    with pytest.raises(RuntimeError):
        app.traiter_lot([activite])
    monkeypatch.setattr(app, "save", vraie)
    r = app.traiter_lot([activite])[0]
    assert r.statut == "ACCEPTE"
    assert apps().parcours(activite.cle).version == 2


def test_un_parcours_en_memoire_que_le_store_n_a_plus_est_relu(apps):
    """Memory never answers for the store: a parcours kept in memory at a version the store
    does not hold is read again from the store."""
    app = apps()
    inscription = fait("EleveInscrit")
    app.traiter_lot([inscription, fait("ActiviteLyceeRealisee")])
    pid = next(iter(app.en_memoire))
    app.en_memoire[pid].activite_lycee_realisee(
        origine_event_id="jamais-stocke", emetteur="lycee", empreinte="x",
        activite="CONSOLIDATION_ACQUIS", date=date(2024, 9, 9), duree_heures=None)
    app.en_memoire[pid].collect_events()  # version 3 in memory, 2 in the store
    lu = app.charger({inscription.cle})[inscription.cle]
    assert lu.version == 2 and "jamais-stocke" not in lu.traites
