"""Every parcours its own, rights that end, a mission-locale move: the views (SQLite and
PostgreSQL) of one élève's two parcours, and their rebuild, equal the hand-computed ground truth
of `parcours_successifs`."""
from __future__ import annotations

import parcours_successifs as ps
from aide_vues import projeter, records_of, tout
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.parcours import make_app
from ambition.parcours.exemples import fait
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


def verifier_les_vues(api, pid: str) -> None:
    for uai, attendu in ((ps.UAI_A, ps.LYCEE_A), (ps.UAI_B, ps.LYCEE_B)):
        vue = get(api, f"lycee:{uai}", f"/v1/lycees/{uai}/eleves", as_of="2026-01-05")
        assert vue["total"] == 1
        assert {k: vue["items"][0][k] for k in attendu} == attendu
    for jour, droits in ps.DROITS_A.items():
        item = get(api, f"lycee:{ps.UAI_A}", f"/v1/lycees/{ps.UAI_A}/eleves", as_of=jour)["items"][0]
        assert {k: item["droits"][k] for k in droits} == droits, jour
        assert item["statut_structure_accueil"] is (jour > "2024-12-20")
    for siret, lignes in ps.ML_JEUNES.items():
        vue = get(api, f"ml:{siret}", f"/v1/missions-locales/{siret}/jeunes", as_of="2026-01-05")
        assert [(i["numero"], i["transfere_vers"]) for i in vue["items"]] == lignes
        activites = get(api, f"ml:{siret}", f"/v1/missions-locales/{siret}/activites")
        assert activites["total"] == ps.ML_ACTIVITES[siret]
        assert get(api, f"ml:{siret}", f"/v1/missions-locales/{siret}/stages")["total"] == 0
    synthese = get(api, "psad:national", "/v1/psad/synthese", as_of="2026-01-05")
    assert {k: synthese[k] for k in ps.PSAD} == ps.PSAD
    assert {x["uai"]: (x["entrees"], x["issues"]) for x in synthese["par_lycee"]} == ps.PSAD_PAR_LYCEE
    assert {x["mission_locale"]: (x["entrees"], x["issues"])
            for x in synthese["par_mission_locale"]} == ps.PSAD_PAR_ML
    for actor, (numeros, n) in ps.CHRONOLOGIE.items():
        chrono = get(api, actor, f"/v1/parcours/{pid}/chronologie", limit=100)
        assert (chrono["numeros"], chrono["total"]) == (numeros, n), actor


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
    verifier_les_vues(api, pid)
    incremental = tout(engine)
    rebuild(engine, app, registry, progress=False)
    assert tout(engine) == incremental
    verifier_les_vues(api, pid)
