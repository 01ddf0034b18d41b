"""The partner exchange end to end: the same cohort, sent in order to one platform and
shuffled across partners to another, gives exactly the same views; a refusal is inspected and
retried by an operator with `ambition rejected`, and the retry is idempotent."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import httpx
import pytest
from platform_support import arreter, demarrer, essentiel, producteurs

from ambition.contracts import signing
from ambition.contracts.identifiants import cle_uai
from ambition.contracts.partners import Credentials, demo_partners
from ambition.exchange.cohorte import RENTREE, TODAY, envoyer, generer, melanger
from ambition.sdk import LyceeProducer
from ambition.simulator import inscription

pytestmark = pytest.mark.e2e
DELAI = 10  # parking delay (s) of these platforms: the orphans are refused within the test
# (a shuffled fact may precede its enrolment by ~50 messages: under load that is seconds)


def ambition(r: Running, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ambition.cli", *args], env=dict(os.environ, **r.env),
                          capture_output=True, text=True, timeout=90)


@pytest.fixture(scope="module")
def deux(tmp_path_factory):
    env = {"AMBITION_PARKING_DELAY": str(DELAI), "AMBITION_PARKING_SWEEP": "1"}
    ordre = demarrer(tmp_path_factory.mktemp("ordered"), **env)
    try:
        melange = demarrer(tmp_path_factory.mktemp("shuffled"), **env)
    except Exception:
        arreter(ordre)
        raise
    yield ordre, melange
    arreter(melange)
    arreter(ordre)


def vues(r: Running, cohorte) -> dict:
    listes = {uai: sorted(r.get(f"/v1/lycees/{uai}/eleves", f"lycee:{uai}", limit=1000)["items"],
                          key=lambda e: e["cle"]) for uai in cohorte.par_lycee}
    return {"synthese": r.get("/v1/psad/synthese"), "lycees": listes}


def metrique(port: int, nom: str) -> float:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics").text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines() if line.startswith(nom))


def test_a_shuffled_cohort_reaches_exactly_the_views_of_the_ordered_run(deux):
    ordre, melange = deux
    cohorte = generer(demo_partners(ordre.settings), 24, seed=2026, secret=ordre.settings.pseudonym_secret)
    shuffled = melanger(cohorte.faits, seed=7)
    assert shuffled != cohorte.faits
    envois = [threading.Thread(target=envoyer, args=(cohorte.faits, producteurs(ordre))),
              threading.Thread(target=envoyer, args=(shuffled, producteurs(melange)))]
    for t in envois:
        t.start()
    for t in envois:
        t.join()
    for r in deux:
        r.wait_for("/v1/psad/synthese", lambda b: essentiel(b) == cohorte.attendu, timeout=90)
    a, b = vues(ordre, cohorte), vues(melange, cohorte)
    assert a == b
    assert essentiel(a["synthese"]) == cohorte.attendu and cohorte.refus["ORPHELIN"] == 2
    for uai, items in a["lycees"].items():
        assert len(items) == cohorte.par_lycee[uai]
        assert sum(e["jours_pfmp"] for e in items) == cohorte.jours_pfmp[uai]
        assert all(e["mission_locale"] for e in items)  # every accueil landed, parked or not
    port = melange.settings.ingest_metrics_port
    assert metrique(port, "ambition_parking_released_total") > 0  # the shuffle did park facts
    assert metrique(port, "ambition_parked_events") == 0
    assert metrique(port, 'ambition_messages_consumed_total{outcome="parque"') > 0


def test_an_operator_retries_a_refusal_once_the_partner_is_registered(deux):
    _, r = deux
    uai = "0920001" + cle_uai("0920001")
    private, public = signing.new_key_pair()
    inconnu = Credentials(f"lycee:{uai}", "LYCEE", uai, private)
    import random
    champs, _ = inscription(random.Random(9), uai, RENTREE, TODAY)
    champs.update(diplome="BAC_PRO", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    with LyceeProducer(inconnu, settings=r.settings) as lycee:
        lycee.eleve_inscrit(**champs)
    avant = r.wait_for("/v1/psad/synthese", lambda b: b["refus"].get("SIGNATURE_INVALIDE") == 1)

    listed = ambition(r, "rejected", "list", "--reason", "SIGNATURE_INVALIDE")
    assert listed.returncode == 0, listed.stderr
    rejet_id = listed.stdout.splitlines()[1].split()[-1]
    assert "unknown partner" in ambition(r, "rejected", "show", rejet_id).stdout

    refused = ambition(r, "rejected", "retry", rejet_id, "--wait", "30")  # not fixed yet
    assert refused.returncode == 1 and "refuse:SIGNATURE_INVALIDE" in refused.stdout

    partners = json.loads(r.settings.partners_file.read_text())  # the fix: register its key
    partners.append({"id": inconnu.partner_id, "type": "LYCEE", "identifiant": uai, "public_key": public})
    r.settings.partners_file.write_text(json.dumps(partners))

    accepted = ambition(r, "rejected", "retry", rejet_id, "--wait", "30")
    assert accepted.returncode == 0 and f"{rejet_id}: accepte" in accepted.stdout, accepted.stdout
    again = ambition(r, "rejected", "retry", rejet_id)
    assert "already accepted" in again.stdout
    forced = ambition(r, "rejected", "retry", rejet_id, "--force", "--wait", "30")
    assert f"{rejet_id}: doublon" in forced.stdout, forced.stdout  # one effect only

    synthese = r.wait_for("/v1/psad/synthese", lambda b: b["entrees"] > avant["entrees"])
    assert [ligne["entrees"] for ligne in synthese["par_lycee"] if ligne["uai"] == uai] == [1]
    assert synthese["entrees"] == avant["entrees"] + 1
    # retries are not new refusals, and the one resolved no longer stands
    assert synthese["refus"].get("SIGNATURE_INVALIDE", 0) == avant["refus"]["SIGNATURE_INVALIDE"] - 1
    assert synthese["entrees"] + sum(synthese["refus"].values()) == \
        avant["entrees"] + sum(avant["refus"].values())
    shown = ambition(r, "rejected", "show", rejet_id[:20]).stdout
    assert "retries     3, last result: doublon" in shown
    assert [ln.split()[2] for ln in shown.splitlines() if " retry " in ln] == \
        ["refuse:SIGNATURE_INVALIDE", "accepte", "doublon"]
    for cmd in ("list", "show", "retry"):
        assert ambition(r, "rejected", cmd, "--help").returncode == 0
