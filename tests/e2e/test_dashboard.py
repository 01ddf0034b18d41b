"""The PSAD dashboard in a real headless Chromium: the figures it shows are the API's."""
from __future__ import annotations

import random
import re
import uuid
from datetime import date

import httpx
import pytest
from chromium_support import Dom, dump_dom, screenshot

from ambition.api.jetons import demo_tokens
from ambition.contracts.partners import demo_partners
from ambition.sdk.lycee import LyceeProducer
from ambition.simulator import inscription

AS_OF = "2026-10-20"


@pytest.fixture(scope="module")
def cohort(running):
    """Enrolments from three lycées (two of them in ac-paris), visible in the API."""
    lycees = {c.identifiant: c for c in demo_partners(running.settings) if c.type == "LYCEE"}
    rng = random.Random(11)
    n = 0
    for uai in ("0753268V", "0750650Z", "0690026D"):
        with LyceeProducer(lycees[uai], settings=running.settings) as p:
            for _ in range(4 if uai != "0690026D" else 3):
                fields, _ = inscription(rng, uai, date(2026, 9, 1), date(2026, 10, 1))
                fields.update(diplome="CAP", session_examen=2026, en_emploi=False)
                p.eleve_inscrit(**fields, event_id=str(uuid.uuid4()))
                n += 1
    token = demo_tokens(running.settings)["psad:national"]
    running.http.headers["Authorization"] = f"Bearer {token}"
    running.wait_for("/v1/psad/synthese", lambda b: b["entrees"] == n)
    return n


def api(running, actor: str, path: str, **params) -> dict:
    token = demo_tokens(running.settings)[actor]
    return httpx.get(running.base_url + path, params=params, headers={"Authorization": f"Bearer {token}"}).json()


def pourcent(x) -> str:
    return "–" if x is None else f"{round(x * 1000) / 10:g} %"


def check_figures(dom: Dom, s: dict, risque: dict) -> None:
    assert dom.body.get("data-etat") == "pret", dom.text.get("erreur")
    assert dom.text["territoire"] == s["territoire"] and dom.text["date-ref"] == s["as_of"]
    assert int(dom.text["entrees"]) == s["entrees"]
    assert int(dom.text["ouverts"]) == s["parcours_ouverts"]
    assert int(dom.text["a-risque"]) == s["jeunes_a_risque"]
    assert dom.text["part-solution"] == pourcent(s["part_avec_solution"])
    assert dom.text["duree-mediane"] == ("–" if s["duree_mediane_jours"] is None else str(s["duree_mediane_jours"]))
    assert dom.bars.get("issue", {}) == s["issues"]
    assert dom.bars["mois"] == s["entrees_par_mois"]
    for table, cle in (("par-lycee", "par_lycee"), ("par-mission-locale", "par_mission_locale")):
        ident = "uai" if cle == "par_lycee" else "mission_locale"
        assert [(r[0], r[1], int(r[2])) for r in dom.rows[table]] == [
            (l[ident], l["libelle"] or "–", l["entrees"]) for l in s[cle]]
    assert dom.bars["entonnoir"] == s["entonnoir"]
    assert dom.bars.get("refus", {}) == s["refus"]
    assert dom.rows["issues-par-mois"] == [
        [m, *(str(n.get(i, 0)) for i in ("FORMATION", "EMPLOI", "PARCOURS_INSERTION", "ABANDON"))]
        for m, n in s["issues_par_mois"].items()]
    assert [r[0] for r in dom.rows["liste-risque"]] == [i["parcours_id"] for i in risque["items"]]
    lycees = {l["uai"]: l["libelle"] for l in s["par_lycee"]}
    for row, item in zip(dom.rows["liste-risque"], risque["items"]):
        assert row[1] == lycees[item["uai"]]
        assert ("aucune activité depuis 21 jours" in row[4]) == ("SANS_ACTIVITE_21J" in item["alertes"])
        assert ("fin prévue dans moins de 15 jours" in row[4]) == ("FIN_SOUS_15J" in item["alertes"])


def test_the_dashboard_shows_the_apis_figures(running, cohort, tmp_path):
    token = demo_tokens(running.settings)["psad:national"]
    dom = dump_dom(f"{running.base_url}/psad/tableau-de-bord?as_of={AS_OF}#token={token}", tmp_path)
    s = api(running, "psad:national", "/v1/psad/synthese", as_of=AS_OF)
    risque = api(running, "psad:national", "/v1/psad/a-risque", as_of=AS_OF)
    assert s["entrees"] == cohort and risque["total"] > 0
    check_figures(dom, s, risque)
    assert dom.rows["par-lycee"][0][1] == "Lycée professionnel de la Croix-Rousse (Lyon)"  # names shown
    screenshot(f"{running.base_url}/psad/tableau-de-bord?as_of={AS_OF}#token={token}", tmp_path,
               "psad-tableau-de-bord.png")


def test_filters_by_lycee_and_a_territorial_coordinator(running, cohort, tmp_path):
    token = demo_tokens(running.settings)["psad:ac-paris"]
    dom = dump_dom(f"{running.base_url}/psad/tableau-de-bord?as_of={AS_OF}&uai=0750650Z#token={token}", tmp_path)
    s = api(running, "psad:ac-paris", "/v1/psad/synthese", as_of=AS_OF, uai="0750650Z")
    risque = api(running, "psad:ac-paris", "/v1/psad/a-risque", as_of=AS_OF, uai="0750650Z")
    assert s["territoire"] == "ac-paris" and s["entrees"] == 4
    check_figures(dom, s, risque)


def test_filter_by_entry_dates(running, cohort, tmp_path):
    token = demo_tokens(running.settings)["psad:national"]
    full = api(running, "psad:national", "/v1/psad/synthese", as_of=AS_OF)
    du = sorted(full["entrees_par_mois"])[-1] + "-01"  # the last month of entries only
    dom = dump_dom(f"{running.base_url}/psad/tableau-de-bord?as_of={AS_OF}&du={du}#token={token}", tmp_path)
    s = api(running, "psad:national", "/v1/psad/synthese", as_of=AS_OF, du=du)
    risque = api(running, "psad:national", "/v1/psad/a-risque", as_of=AS_OF, du=du)
    assert 0 < s["entrees"] < full["entrees"] and list(s["entrees_par_mois"]) == [du[:7]]
    check_figures(dom, s, risque)


def test_without_a_token_the_page_shows_no_data(running, cohort, tmp_path):
    dom = dump_dom(f"{running.base_url}/psad/tableau-de-bord", tmp_path)
    assert dom.body.get("data-etat") == "erreur"
    assert dom.text["entrees"] == "–" and re.search("token", dom.text["erreur"])
    page = httpx.get(f"{running.base_url}/psad/tableau-de-bord")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "no-referrer"
