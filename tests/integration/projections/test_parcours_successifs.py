"""Every parcours its own, rights that end, a mission-locale move: the views (SQLite and
PostgreSQL) of one élève's two parcours, and their rebuild, equal the hand-computed ground truth
of `parcours_successifs`."""
from __future__ import annotations

from datetime import date

import parcours_successifs as ps
from aide_vues import projeter, records_of, tout
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.bootstrap import make_app
from ambition.parcours.exemples import SIRET_ML, fait
from ambition.parcours.faits import FOQUALE, LYCEE, MISSION_LOCALE, Emetteur
from ambition_projections.rebuild import rebuild

CLE = "9" * 32
ACTEURS = [f"lycee:{ps.UAI_A}", f"lycee:{ps.UAI_B}", f"ml:{ps.ML_A}", f"ml:{ps.ML_B}",
           "psad:national"]
TOKENS = {a: f"t-{i}" for i, a in enumerate(ACTEURS)}
TYPES = {"lycee": LYCEE, "ml": MISSION_LOCALE, "foquale": FOQUALE}


def faits() -> list:
    out = []
    for _, partner, type_, payload in ps.FAITS:
        prefixe, ident = partner.split(":")
        extra = dict(ine=ps.INE, nom="Martin", prenom="Lina", date_naissance=ps.NAISSANCE,
                     accompagnement_handicap=False) if type_ == "EleveInscrit" else {}
        out.append(fait(type_, cle=CLE, emetteur=Emetteur(TYPES[prefixe], ident, partner),
                        **payload, **extra))
    return out


def get(api, actor: str, path: str, **params) -> dict:
    r = api.get(path, params=params, headers={"Authorization": f"Bearer {TOKENS[actor]}"})
    assert r.status_code == 200, r.text
    return r.json()


def test_deux_parcours_une_correction_et_un_demenagement(registry, engine, settings):
    app = make_app(settings)
    lot = faits()
    assert [r.statut for r in app.traiter_lot(lot)] == ["ACCEPTE"] * len(lot)
    assert [r.statut for r in app.traiter_lot(lot)] == ["DOUBLON"] * len(lot)
    pid = str(app.parcours(CLE).id)
    records = records_of(app, registry)
    assert len(records) == ps.VERSIONS
    assert [r["parcours"]["numero"] for r in records] == [1] * 6 + [2, 2, 1] + [2] * 6
    projeter(engine, records, taille=4)
    api = TestClient(create_app(settings, Jetons(TOKENS)))
    ps.verifier_les_vues(lambda actor, path, **params: get(api, actor, path, **params), pid)
    incremental = tout(engine)
    rebuild(engine, app, registry, progress=False)
    assert tout(engine) == incremental
    ps.verifier_les_vues(lambda actor, path, **params: get(api, actor, path, **params), pid)


def test_un_pacea_qui_court_sur_deux_parcours_compte_une_fois_dans_le_portefeuille(
        registry, engine, settings):
    """A PACEA goes on across closure and re-entry: both parcours show it, the mission locale's
    caseload counts one young person with a PACEA in progress."""
    app = make_app(settings)
    lot = [fait("EleveInscrit", cle=CLE), fait("AccueilRealise", cle=CLE),
           fait("PaceaSigne", cle=CLE), fait("BilanRealise", cle=CLE),
           fait("EleveInscrit", cle=CLE, session_examen=2025, date_debut=date(2025, 9, 1),
                date_fin_prevue=date(2025, 12, 19)),
           fait("AccueilRealise", cle=CLE, date=date(2025, 9, 3))]
    assert [r.statut for r in app.traiter_lot(lot)] == ["ACCEPTE"] * len(lot)
    projeter(engine, records_of(app, registry))
    acteur = f"ml:{SIRET_ML}"
    api = TestClient(create_app(settings, Jetons({acteur: "t-ml"})))
    r = api.get(f"/v1/missions-locales/{SIRET_ML}/portefeuille",
                headers={"Authorization": "Bearer t-ml"})
    assert r.status_code == 200, r.text
    assert r.json()["conseillers"] == [{"conseiller": "cons-42", "jeunes": 2, "ouverts": 1,
                                        "pacea_en_cours": 1}]


def test_un_stage_tardif_d_un_parcours_clos_n_est_pas_en_cours(registry, engine, settings):
    """Enterprise periods still open at closure end on the closure date, also one that begins
    (dated before the closure) after the closure was decided."""
    app = make_app(settings)
    lot = [fait("EleveInscrit", cle=CLE), fait("AccueilRealise", cle=CLE),
           fait("BilanRealise", cle=CLE, date=date(2024, 12, 13)),
           fait("StageDebute", cle=CLE, date_debut=date(2024, 12, 2),
                date_fin_prevue=date(2024, 12, 20))]
    assert [r.statut for r in app.traiter_lot(lot)] == ["ACCEPTE"] * len(lot)
    projeter(engine, records_of(app, registry))
    api = TestClient(create_app(settings, Jetons({f"ml:{SIRET_ML}": "t-ml"})))
    r = api.get(f"/v1/missions-locales/{SIRET_ML}/stages", headers={"Authorization": "Bearer t-ml"})
    assert r.status_code == 200, r.text
    assert r.json()["total"] == 0, r.json()
