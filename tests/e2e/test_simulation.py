"""`ambition simulate --cohorte N` end to end: a cohort's whole parcours through the partners'
SDK producers (late, duplicated and out-of-order facts, a few refusals) reaches exactly the
figures the simulator announces, in the API and on the PSAD dashboard in a real Chromium."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from chromium_support import dump_dom, screenshot
from platform_support import arreter, demarrer

from ambition.simulation.verite import de_la_synthese

pytestmark = pytest.mark.e2e
LOG_LINE = re.compile(r"\b(DEBUG|INFO|WARNING|ERROR)\b|kafka\.|aiokafka")


@pytest.fixture(scope="module")
def simule(tmp_path_factory):
    base = tmp_path_factory.mktemp("simulation")
    r = demarrer(base, AMBITION_PARKING_SWEEP="1")
    try:
        out = subprocess.run([sys.executable, "-m", "ambition.cli", "simulate", "--cohorte", "120", "--seed", "13",
                              "--verite", str(base / "verite.json")], env=dict(os.environ, **r.env),
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stdout + out.stderr
        yield r, json.loads((base / "verite.json").read_text()), out
    finally:
        arreter(r)


def test_the_simulator_prints_its_report_and_no_log_line(simule):
    _, verite, out = simule
    assert re.search(r"sent \d+ facts for 120 young people", out.stdout)
    assert json.loads(out.stdout.split("(GET /v1/psad/synthese, national):\n", 1)[1]) == verite
    assert not LOG_LINE.search(out.stdout + out.stderr), (out.stdout + out.stderr)[-3000:]


def test_the_cohort_is_believable(simule):
    """The ground truth itself has what a coordinator expects to learn from (known shares of
    the stories: about 10 % refused at the door, half closed by a bilan, some withdrawals)."""
    _, v, _ = simule
    assert 90 <= v["entrees"] <= 115 and v["entrees"] + sum(
        n for k, n in v["refus"].items() if k.startswith("ELIGIBILITE")) == 120
    assert set(v["issues"]) >= {"FORMATION", "EMPLOI", "PARCOURS_INSERTION"}
    assert 0 < v["parcours_ouverts"] < v["entrees"] and 0 < v["part_avec_solution"] < 1
    assert len(v["par_lycee"]) == 12 and len(v["par_mission_locale"]) == 4


def test_the_api_shows_exactly_the_simulators_ground_truth(simule):
    r, verite, _ = simule
    s = r.wait_for("/v1/psad/synthese", lambda b: de_la_synthese(b) == verite, timeout=180)
    assert de_la_synthese(s) == verite


def test_the_dashboard_shows_the_simulators_ground_truth(simule, tmp_path):
    r, v, _ = simule
    r.wait_for("/v1/psad/synthese", lambda b: de_la_synthese(b) == v, timeout=180)
    url = f"{r.base_url}/psad/tableau-de-bord#token={r.tokens['psad:national']}"
    dom = dump_dom(url, tmp_path)
    assert dom.body.get("data-etat") == "pret", dom.text.get("erreur")
    assert int(dom.text["entrees"]) == v["entrees"]
    assert int(dom.text["ouverts"]) == v["parcours_ouverts"]
    assert dom.bars["issue"] == v["issues"]
    assert dom.bars["mois"] == v["entrees_par_mois"]
    assert dom.text["part-solution"] == f"{round(v['part_avec_solution'] * 1000) / 10:g} %"
    assert dom.text["duree-mediane"] == f"{v['duree_mediane_jours']:g}"
    assert dom.bars["entonnoir"] == v["entonnoir"] and dom.bars.get("refus", {}) == v["refus"]
    assert {r[0]: int(r[2]) for r in dom.rows["par-lycee"]} == v["par_lycee"]
    assert {r[0]: int(r[2]) for r in dom.rows["par-mission-locale"]} == v["par_mission_locale"]
    assert all(r[1] != "–" for r in dom.rows["par-lycee"] + dom.rows["par-mission-locale"])  # names
    assert screenshot(url, tmp_path, "psad-tableau-de-bord-cohorte.png").stat().st_size > 10_000
