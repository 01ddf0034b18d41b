"""The read API over both stores: each actor reads its own rows only, the PSAD sees no personal
data, lists are paginated, unknown ids are 404 with a clear message."""
from __future__ import annotations

import json

import pytest
from aide_vues import ML_A, ML_B, UAI_LYON, UAI_PARIS, projeter, records_of
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons

TOKENS = {f"lycee:{UAI_PARIS}": "t-paris", f"lycee:{UAI_LYON}": "t-lyon", f"ml:{ML_A}": "t-ml",
          "foquale:ac-paris": "t-foq", "foquale:ac-lyon": "t-foq-lyon", "psad:national": "t-psad",
          "psad:ac-paris": "t-psad-paris", "dpo:national": "t-dpo"}


def h(actor: str) -> dict:
    return {"Authorization": f"Bearer {TOKENS[actor]}"}


@pytest.fixture
def api(parcours_app, registry, engine, settings) -> TestClient:
    projeter(engine, records_of(parcours_app, registry))
    return TestClient(create_app(settings, Jetons(TOKENS)))


def test_no_token_or_an_unknown_one_is_401_and_ops_routes_stay_open(api):
    for headers in ({}, {"Authorization": "Bearer nope"}):
        r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert api.get("/health").json() == {"status": "ok"}
    assert api.get("/metrics").status_code == 200
    spec = api.get("/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"/v1/lycees/{uai}/eleves", "/v1/missions-locales/{siret}/portefeuille",
            "/v1/foquale/{code}/solutions", "/v1/psad/synthese", "/v1/psad/a-risque",
            "/v1/parcours/{parcours_id}/chronologie"} <= set(spec["paths"])


def test_the_lycee_sees_its_eleves_with_names_and_disability_support(api):
    body = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                   params={"as_of": "2024-10-01"}).json()
    assert body["total"] == 4 and body["as_of"] == "2024-10-01"
    first = next(i for i in body["items"] if i["cle"] == f"{0:032x}")
    assert (first["nom"], first["prenom"]) == ("Nom0", "Prenom0")
    assert first["droits"] == {"statut_scolaire": True, "bourse": True, "internat": False,
                               "fonds_sociaux": False, "accompagnement_handicap": True}
    assert first["mission_locale"] == ML_A and first["referent"] == "M. Durand"
    assert first["jours_utilises"] == 30 and first["part_pfmp_utilisee"] > 0
    assert "ine" not in first and "date_naissance" not in first
    unwelcomed = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                         params={"as_of": "2024-10-01", "alerte": "SANS_ACCUEIL_10J"}).json()
    assert unwelcomed["total"] == 1 and unwelcomed["items"][0]["mission_locale"] is None


def test_a_lycee_asking_for_another_lycees_eleves_gets_403_and_no_data(api):
    r = api.get(f"/v1/lycees/{UAI_LYON}/eleves", headers=h(f"lycee:{UAI_PARIS}"))
    assert r.status_code == 403 and set(r.json()) == {"detail"}
    for path in (f"/v1/missions-locales/{ML_A}/jeunes", "/v1/foquale/ac-paris/solutions",
                 "/v1/psad/synthese"):
        assert api.get(path, headers=h(f"lycee:{UAI_PARIS}")).status_code == 403
    assert api.get(f"/v1/missions-locales/{ML_B}/portefeuille", headers=h(f"ml:{ML_A}")).status_code == 403
    assert api.get("/v1/psad/synthese", headers=h("psad:ac-paris"),
                   params={"territoire": "ac-lyon"}).status_code == 403


def test_pagination(api):
    seen = []
    for offset in (0, 2):
        body = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                       params={"limit": 2, "offset": offset}).json()
        assert (body["total"], body["limit"], body["offset"]) == (4, 2, offset)
        seen += [i["parcours_id"] for i in body["items"]]
    assert len(set(seen)) == 4
    assert api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                   params={"limit": 0}).status_code == 422


def test_mission_locale_and_foquale_views(api):
    ml = h(f"ml:{ML_A}")
    caseload = api.get(f"/v1/missions-locales/{ML_A}/portefeuille", headers=ml).json()["conseillers"]
    assert sum(c["jeunes"] for c in caseload) == 6 and {c["conseiller"] for c in caseload} == {"cons-0", "cons-1", "cons-2"}
    jeunes = api.get(f"/v1/missions-locales/{ML_A}/jeunes", headers=ml, params={"as_of": "2024-12-20"}).json()
    assert jeunes["total"] == 6 and any(j["pacea"] for j in jeunes["items"])
    assert api.get(f"/v1/missions-locales/{ML_A}/bilans-dus", headers=ml,
                   params={"as_of": "2024-12-20"}).json()["total"] >= 1
    assert api.get(f"/v1/missions-locales/{ML_A}/activites", headers=ml).json()["total"] == 6
    stages = api.get(f"/v1/missions-locales/{ML_A}/stages", headers=ml).json()
    # stages of élèves 0 and 6; élève 0's bilan closed the parcours, which ended its stage
    assert stages["total"] == 1 and stages["items"][0]["nature"] == "STAGE"
    # solutions: élèves 1, 4, 10 (Lyon: ac-lyon's network) and 2, 8 (Paris: ac-paris's)
    foq = api.get("/v1/foquale/ac-paris/solutions", headers=h("foquale:ac-paris")).json()
    assert foq["total"] == 2
    lyon = api.get("/v1/foquale/ac-lyon/solutions", headers=h("foquale:ac-lyon")).json()
    assert lyon["total"] == 3
    en_cours = api.get("/v1/foquale/ac-lyon/solutions", headers=h("foquale:ac-lyon"),
                       params={"statut": "EN_COURS"}).json()
    assert {s["statut"] for s in en_cours["items"]} == {"EN_COURS"} and en_cours["total"] == 2


def test_the_timeline_for_the_actors_of_the_parcours_and_404_for_an_unknown_one(api):
    item = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}")).json()["items"][0]
    path = f"/v1/parcours/{item['parcours_id']}/chronologie"
    body = api.get(path, headers=h(f"lycee:{UAI_PARIS}")).json()
    assert body["items"][0]["type"] == "EleveInscrit" and body["total"] == len(body["items"]) > 3
    assert [e["version"] for e in body["items"]] == sorted(e["version"] for e in body["items"])
    assert api.get(path, headers=h(f"ml:{ML_A}")).status_code == 200
    assert api.get(path, headers=h("psad:ac-paris")).status_code == 200
    r = api.get("/v1/parcours/00000000-0000-0000-0000-000000000000/chronologie", headers=h("psad:national"))
    assert r.status_code == 404 and "no parcours" in r.json()["detail"]
    r = api.get("/v1/psad/synthese", headers=h("psad:national"), params={"territoire": "ac-atlantide"})
    assert r.status_code == 404 and "unknown territory" in r.json()["detail"]


def test_an_actor_who_serves_neither_gets_one_answer_for_an_existing_and_an_unknown_parcours(api):
    """No enrolment oracle: the status and body say nothing about the parcours's existence."""
    item = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}")).json()["items"][0]
    existing, unknown = item["parcours_id"], "00000000-0000-0000-0000-000000000000"

    def answer(pid):
        r = api.get(f"/v1/parcours/{pid}/chronologie", headers=h(f"lycee:{UAI_LYON}"))
        return r.status_code, r.json()["detail"].replace(pid, "<id>")

    assert answer(existing) == answer(unknown)
    assert answer(existing)[0] == 404
    assert api.get(f"/v1/parcours/{existing}/chronologie", headers=h(f"lycee:{UAI_PARIS}")).status_code == 200


def test_answers_are_never_cached_and_an_absurd_offset_is_a_422(api):
    r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                params={"offset": "9223372036854775808"})
    assert r.status_code == 422


def test_the_psad_sees_its_territory_and_no_personal_data(api):
    national = api.get("/v1/psad/synthese", headers=h("psad:national"), params={"as_of": "2024-10-01"}).json()
    assert national["entrees"] == 12 and national["refus"] == {}
    assert sum(national["issues"].values()) == 4 and national["duree_mediane_jours"] > 0
    paris = api.get("/v1/psad/synthese", headers=h("psad:ac-paris"), params={"as_of": "2024-10-01"}).json()
    assert paris["territoire"] == "ac-paris" and paris["entrees"] == 8
    assert {l["uai"] for l in paris["par_lycee"]} == {UAI_PARIS, "0750650Z"}
    risque = api.get("/v1/psad/a-risque", headers=h("psad:ac-paris"), params={"as_of": "2024-10-01"}).json()
    assert risque["total"] == paris["jeunes_a_risque"] == 2
    text = json.dumps([national, paris, risque])
    for forbidden in ('"ine"', '"nom"', '"prenom"', "date_naissance", "handicap", "Nom1", "Prenom1",
                      "0000000001A", '"cle"'):
        assert forbidden not in text


def test_the_published_catalogue_is_served_to_partners_as_json_and_as_a_page(api):
    body = api.get("/v1/catalogue").json()
    text = json.dumps(body)
    for name in ("ambition.lycee.EleveInscrit", "ambition.missionlocale.BilanRealise",
                 "ambition.foquale.SolutionProposee", "ambition.parcours.ParcoursClos"):
        assert name in text
    page = api.get("/v1/catalogue.html")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "EleveInscrit" in page.text


def test_every_read_of_personal_data_is_traced_for_the_dpo_without_personal_data(api):
    from ambition import metrics
    before = metrics.PERSONAL_READS.labels("/v1/lycees/{uai}/eleves")._value.get()
    eleves = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=h(f"lycee:{UAI_PARIS}"),
                     params={"limit": 2}).json()
    pids = sorted(i["parcours_id"] for i in eleves["items"])
    assert len(pids) == 2
    api.get(f"/v1/parcours/{pids[0]}/chronologie", headers=h(f"ml:{ML_A}"))
    api.get(f"/v1/psad/synthese", headers=h("psad:national"))  # figures only: not traced
    assert metrics.PERSONAL_READS.labels("/v1/lycees/{uai}/eleves")._value.get() == before + 2

    assert api.get("/v1/dpo/lectures", headers=h(f"lycee:{UAI_PARIS}")).status_code == 403
    journal = api.get("/v1/dpo/lectures", headers=h("dpo:national"), params={"parcours_id": pids[0]}).json()
    assert [(e["acteur"], e["route"]) for e in journal["items"]] == [
        (f"lycee:{UAI_PARIS}", "/v1/lycees/{uai}/eleves"), (f"ml:{ML_A}", "/v1/parcours/{parcours_id}/chronologie")]
    assert all(e["parcours_id"] == pids[0] and e["at"] for e in journal["items"])
    tout = api.get("/v1/dpo/lectures", headers=h("dpo:national"), params={"limit": 1000}).json()
    assert tout["total"] == 3  # two élèves read by the lycée, one timeline by the mission locale
    texte = json.dumps(tout)
    for personnel in ("Nom0", "Prenom0", "Nom1", '"nom"', "handicap", "0000000001A"):
        assert personnel not in texte
