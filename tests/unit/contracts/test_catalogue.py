"""The committed catalogue matches the schemas; the HTTP routes serve it."""
from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from ambition.config import ROOT
from ambition.contracts import catalogue
from ambition.contracts.http import router


def test_committed_catalogue_is_in_sync_with_the_schemas():
    cat = catalogue.build(ROOT / "schemas")
    stale = "docs/catalogue.* is stale: run `ambition catalogue build` and commit the result"
    assert (ROOT / "docs" / "catalogue.md").read_text() == catalogue.markdown(cat), stale
    assert (ROOT / "docs" / "catalogue.html").read_text() == catalogue.html(cat), stale


def test_catalogue_content(registry):
    cat = catalogue.build(ROOT / "schemas")
    by_name = {e["fullname"]: e for e in cat["events"]}
    assert set(by_name) == set(registry.fullnames())
    e = by_name["ambition.lycee.EleveInscrit"]
    assert e["owner"] == "LYCEE" and e["topic"] == "ambition.partenaires.lycee" and e["versions"][:2] == [1, 2]
    assert all(f["doc"] for ev in cat["events"] for f in ev["fields"])
    assert e["example"]["envelope"]["type"] == "ambition.lycee.EleveInscrit"
    assert by_name["ambition.parcours.ParcoursClos"]["topic"] == "ambition.parcours.events"
    assert "ine" not in {f["name"] for f in by_name["ambition.parcours.EleveInscrit"]["fields"]}


def test_http_routes():
    app = FastAPI()
    app.include_router(router)
    client = TestClient(app)
    r = client.get("/v1/catalogue")
    assert r.status_code == 200 and len(r.json()["events"]) >= 35
    page = client.get("/v1/catalogue.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "ambition.missionlocale.BilanRealise" in page.text


def test_the_published_catalogue_shows_no_personal_value():
    import json
    import re

    from ambition.contracts.catalogue import build
    from ambition.config import ROOT

    text = json.dumps(build(ROOT / "schemas"), ensure_ascii=False)
    assert not re.search(r"\b(?=[A-Z]*[0-9])[0-9A-Z]{10}[A-Z]\b", text)  # INE-shaped values
    # the enrolment's example carries its identity sealed (the published test vector), and
    # every partner example addresses the élève by its sealed INE
    assert '"identite": "base64:' in text and '"subject": "hpke1.' in text
