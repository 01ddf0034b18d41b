"""The access matrix: every API route x every actor, on the fixed cohort (cohorte_connue.py).

Each row of ROUTES names a route, the URL of one resource it serves, and the actors who may
read it. Every actor of ACTEURS is then tried on every row: the owner, another actor of the
same type (a second lycée, a second mission locale, a second Foquale/MLDS network, the PSAD of
another territory) and every other type; no token and an unknown token get 401. A route added
to the API without a row here fails `test_every_route_has_a_row`: add one row.
"""
from __future__ import annotations

import pytest
from aide_vues import ML_A, ML_B, UAI_LYON, UAI_PARIS, UAI_PARIS_2, projeter, records_of
from cohorte_connue import CLES, charger_cohorte
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.bootstrap import make_app
from ambition.sqlstore import read_engine
from ambition_projections.runner import create_tables

pytestmark = pytest.mark.integration

ACTEURS = [f"lycee:{UAI_PARIS}", f"lycee:{UAI_PARIS_2}", f"lycee:{UAI_LYON}", f"ml:{ML_A}", f"ml:{ML_B}",
           "foquale:ac-paris", "foquale:ac-lyon", "psad:ac-paris", "psad:ac-lyon", "psad:national", "dpo:national"]
TOKENS = {a: f"jeton-{i}" for i, a in enumerate(ACTEURS)}
PSAD_PARIS = {"psad:ac-paris", "psad:national"}
PSAD_LYON = {"psad:ac-lyon", "psad:national"}
TOUS_PSAD = {"psad:ac-paris", "psad:ac-lyon", "psad:national"}
PARTENAIRES = {a for a in ACTEURS if a.split(":")[0] in ("lycee", "ml", "foquale")}

# (route template, URL of one resource, actors allowed). {A}..{F} are the cohort's parcours ids.
ROUTES = [
    ("/v1/lycees/{uai}/eleves", f"/v1/lycees/{UAI_PARIS}/eleves", {f"lycee:{UAI_PARIS}"}),
    ("/v1/lycees/{uai}/eleves", f"/v1/lycees/{UAI_LYON}/eleves", {f"lycee:{UAI_LYON}"}),
    ("/v1/missions-locales/{siret}/portefeuille", f"/v1/missions-locales/{ML_A}/portefeuille", {f"ml:{ML_A}"}),
    ("/v1/missions-locales/{siret}/jeunes", f"/v1/missions-locales/{ML_A}/jeunes", {f"ml:{ML_A}"}),
    ("/v1/missions-locales/{siret}/jeunes", f"/v1/missions-locales/{ML_B}/jeunes", {f"ml:{ML_B}"}),
    ("/v1/missions-locales/{siret}/bilans-dus", f"/v1/missions-locales/{ML_A}/bilans-dus", {f"ml:{ML_A}"}),
    ("/v1/missions-locales/{siret}/activites", f"/v1/missions-locales/{ML_B}/activites", {f"ml:{ML_B}"}),
    ("/v1/missions-locales/{siret}/stages", f"/v1/missions-locales/{ML_A}/stages", {f"ml:{ML_A}"}),
    ("/v1/foquale/{code}/solutions", "/v1/foquale/ac-paris/solutions", {"foquale:ac-paris"}),
    ("/v1/foquale/{code}/solutions", "/v1/foquale/ac-lyon/solutions", {"foquale:ac-lyon"}),
    # A: lycée 0753268V, ML_A, no Foquale network acted; territory ac-paris.
    ("/v1/parcours/{parcours_id}/chronologie", "/v1/parcours/{A}/chronologie",
     {f"lycee:{UAI_PARIS}", f"ml:{ML_A}"} | PSAD_PARIS),
    # C: lycée 0750650Z, ML_B, foquale:ac-paris proposed and started a solution.
    ("/v1/parcours/{parcours_id}/chronologie", "/v1/parcours/{C}/chronologie",
     {f"lycee:{UAI_PARIS_2}", f"ml:{ML_B}", "foquale:ac-paris"} | PSAD_PARIS),
    # D: never welcomed by a mission locale: only its lycée and the PSAD.
    ("/v1/parcours/{parcours_id}/chronologie", "/v1/parcours/{D}/chronologie",
     {f"lycee:{UAI_PARIS_2}"} | PSAD_PARIS),
    # E: lycée 0690026D (ac-lyon), ML_B.
    ("/v1/parcours/{parcours_id}/chronologie", "/v1/parcours/{E}/chronologie",
     {f"lycee:{UAI_LYON}", f"ml:{ML_B}"} | PSAD_LYON),
    ("/v1/psad/synthese", "/v1/psad/synthese", TOUS_PSAD),
    ("/v1/psad/synthese", "/v1/psad/synthese?territoire=ac-lyon", PSAD_LYON),
    ("/v1/psad/synthese", "/v1/psad/synthese?territoire=ac-paris", PSAD_PARIS),
    ("/v1/psad/a-risque", "/v1/psad/a-risque", TOUS_PSAD),
    ("/v1/psad/a-risque", "/v1/psad/a-risque?territoire=ac-paris", PSAD_PARIS),
    ("/v1/dpo/lectures", "/v1/dpo/lectures", {"dpo:national"}),  # the trace of reads: no personal data
    # a partner's own receipts and feed: every partner reads its own (the rows are filtered by
    # the token, tests/e2e/test_accuses.py and test_flux.py); a PSAD coordinator or a DPO sends nothing
    ("/v1/partenaires/moi/accuses", "/v1/partenaires/moi/accuses", PARTENAIRES),
    ("/v1/flux", "/v1/flux", PARTENAIRES),
]
# A partner's routes that take a body (POST): who may call them.
ENVOIS = [("/v1/bac-a-sable", PARTENAIRES)]
# Routes open without a token (no data of any élève).
OUVERTES = {"/v1/catalogue", "/v1/catalogue.html", "/v1/cle-publique"}
# Writes, not reads (tests/e2e/test_oubli.py: the parcours's lycée or a DPO; anyone else 404).
ECRITURES = {"/v1/parcours/{parcours_id}/oubli"}
REFUS = (403, 404)  # a refusal may not tell whether the resource exists


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    # every route is asked by every actor in a burst: no rate limit here (test_debit covers it)
    settings = Settings(var_dir=tmp_path_factory.mktemp("matrice") / "var", api_rate_limit="")
    app = make_app(settings)
    ids = charger_cohorte(app)
    engine = read_engine(settings)
    create_tables(engine)
    projeter(engine, records_of(app, Registry.load(settings.schemas_dir)))
    client = TestClient(create_app(settings, Jetons(TOKENS)))
    client.ids, client.app_parcours = ids, app
    yield client
    engine.dispose()


def _url(api, url: str) -> str:
    return url.format(**api.ids)


def test_every_route_has_a_row(api):
    templates = {r.path for r in api.app.routes if getattr(r, "path", "").startswith("/v1/")}
    missing = templates - {t for t, _, _ in ROUTES} - OUVERTES - ECRITURES - {t for t, _ in ENVOIS}
    assert not missing, f"add a row to ROUTES for {sorted(missing)}: who may read it?"


@pytest.mark.parametrize("template,autorises", ENVOIS)
def test_a_route_with_a_body_answers_its_callers_only(api, template, autorises):
    for acteur in ACTEURS:
        r = api.post(template, json={"value": ""}, headers={"Authorization": f"Bearer {TOKENS[acteur]}"})
        assert (r.status_code != 403) == (acteur in autorises), (acteur, r.status_code, r.text)
    assert api.post(template, json={"value": ""}).status_code == 401


@pytest.mark.parametrize("acteur", ACTEURS)
@pytest.mark.parametrize("template,url,autorises", ROUTES, ids=[u for _, u, _ in ROUTES])
def test_each_actor_reads_its_own_rows_only(api, template, url, autorises, acteur):
    r = api.get(_url(api, url), headers={"Authorization": f"Bearer {TOKENS[acteur]}"})
    if acteur in autorises:
        assert r.status_code == 200, (acteur, r.text)
    else:
        assert r.status_code in REFUS, (acteur, r.status_code, r.text)
        assert set(r.json()) == {"detail"}  # no data beside the reason


@pytest.mark.parametrize("template,url,autorises", ROUTES, ids=[u for _, u, _ in ROUTES])
def test_no_token_or_an_unknown_one_is_401(api, template, url, autorises):
    for headers in ({}, {"Authorization": "Bearer inconnu"}, {"Authorization": "Basic eDp5"}):
        r = api.get(_url(api, url), headers=headers)
        assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer", (headers, r.text)


def _refus_comptes(raison: str) -> float:
    from ambition import metrics

    return metrics.API_DENIED.labels(raison)._value.get()


def test_a_refusal_says_why_and_is_counted_for_ops(api):
    """What the caller reads, and the ambition_api_denied_total counter ops alert on."""
    avant = _refus_comptes("unauthenticated"), _refus_comptes("forbidden")
    r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves")
    assert r.json() == {"detail": "missing or unknown bearer token: send 'Authorization: Bearer <token>'"}
    r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers={"Authorization": f"Bearer {TOKENS[f'lycee:{UAI_LYON}']}"})
    assert r.status_code == 403  # another actor's own list: it exists, it is not yours
    assert r.json() == {"detail": f"lycee:{UAI_LYON} may not read the data of lycee:{UAI_PARIS}"}
    r = api.get("/v1/psad/synthese", headers={"Authorization": f"Bearer {TOKENS[f'ml:{ML_A}']}"})
    assert r.json() == {"detail": f"ml:{ML_A} is not a PSAD coordinator"}
    r = api.get("/v1/psad/synthese", params={"territoire": "ac-lyon"},
                headers={"Authorization": f"Bearer {TOKENS['psad:ac-paris']}"})
    assert r.json() == {"detail": "psad:ac-paris may not read territory ac-lyon"}
    assert (_refus_comptes("unauthenticated"), _refus_comptes("forbidden")) == (avant[0] + 1, avant[1] + 3)


def test_a_territorial_psad_reads_its_own_territory_without_naming_it(api):
    """psad:ac-paris asking for no territory, or for its own, gets ac-paris; the national
    coordinator without a territory gets the whole country."""
    def territoire(acteur, **params):
        return api.get("/v1/psad/synthese", params=params,
                       headers={"Authorization": f"Bearer {TOKENS[acteur]}"}).json()["territoire"]
    assert territoire("psad:ac-paris") == territoire("psad:ac-paris", territoire="ac-paris") == "ac-paris"
    assert territoire("psad:national") == "national"
    assert territoire("psad:national", territoire="ac-lyon") == "ac-lyon"


def test_erased_identity_changes_no_access_and_shows_no_name(api):
    """After the right to erasure, A's history stays readable by its actors only, pseudonymous;
    its lycée sees the row without a name; no other actor gains or loses access."""
    api.app_parcours.oublier(CLES["A"])
    lignes = [row for row in ROUTES if "{A}" in row[1] or row[1] == f"/v1/lycees/{UAI_PARIS}/eleves"]
    for _, url, autorises in lignes:
        for acteur in ACTEURS:
            r = api.get(_url(api, url), headers={"Authorization": f"Bearer {TOKENS[acteur]}"})
            assert (r.status_code == 200) == (acteur in autorises), (url, acteur, r.status_code)
    eleves = api.get(f"/v1/lycees/{UAI_PARIS}/eleves",
                     headers={"Authorization": f"Bearer {TOKENS[f'lycee:{UAI_PARIS}']}"}).json()
    a = next(i for i in eleves["items"] if i["parcours_id"] == api.ids["A"])
    assert (a["nom"], a["prenom"], a["droits"]["accompagnement_handicap"]) == (None, None, None)
    f = next(i for i in eleves["items"] if i["parcours_id"] == api.ids["F"])
    assert (f["nom"], f["prenom"]) == ("NomF", "PrenomF")  # the others keep theirs
