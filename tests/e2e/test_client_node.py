"""A client in another language, written from docs/integration.md alone (tests/node/client.mjs:
Node.js, avsc, kafkajs): it checks itself against the published test vectors, then sends a
signed message to a running platform and reads its receipt: accepted."""
from __future__ import annotations

import json
import os
import random
import subprocess
import time
from datetime import date, timedelta

import pytest
from platform_support import producteurs

from ambition.config import ROOT
from ambition.exchange.cohorte import RENTREE, TODAY
from ambition.sdk.consumer import flux
from ambition.simulator import inscription

pytestmark = pytest.mark.e2e
NODE = ROOT / "tests" / "node"
LYCEE = "lycee:0753268V"


def node(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert (NODE / "node_modules" / "kafkajs").is_dir(), "run `make node` (npm ci in tests/node)"
    return subprocess.run(["node", str(NODE / "client.mjs"), *args], capture_output=True, text=True,
                          timeout=150, env=dict(os.environ, **(env or {})))


def test_the_node_client_agrees_with_every_test_vector():
    done = node("vecteurs", str(ROOT / "docs" / "vecteurs"), str(ROOT / "schemas"))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["problems"] == [] and report["schemas"] >= 36 and report["rebuilt"] == 2


def test_the_node_client_gets_a_message_accepted_by_a_running_platform(running):
    r = running
    lycee = producteurs(r)[LYCEE]
    champs, _ = inscription(random.Random(41), "0753268V", RENTREE, TODAY)
    champs.update(diplome="CAP", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    lycee.eleve_inscrit(**champs)  # the parcours the Node client's fact is about
    cle = lycee.cle(champs["ine"])
    r.wait_for("/v1/lycees/0753268V/eleves", lambda b: cle in {e["cle"] for e in b["items"]},
               actor=LYCEE, limit=1000)
    jour = champs["date_debut"] + timedelta(days=3)
    env = {"AMBITION_BOOTSTRAP": r.settings.bootstrap, "AMBITION_API_URL": r.base_url,
           "AMBITION_TOKEN": r.tokens[LYCEE], "AMBITION_PARTNER": LYCEE,
           "AMBITION_PRIVATE_KEY": (r.settings.var_dir / "keys" / "lycee_0753268V.key").read_text().strip(),
           "AMBITION_SCHEMA": str(ROOT / "schemas" / "lycee" / "ActiviteLyceeRealisee.v1.avsc"),
           "AMBITION_TOPIC": r.settings.topics.lycee, "AMBITION_SUBJECT": cle,
           "AMBITION_FIELDS": json.dumps({"activite": "PREPARATION_EPREUVES",
                                          "date": (jour - date(1970, 1, 1)).days, "duree_heures": 3})}
    done = node("envoyer", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    recu = json.loads(done.stdout.strip().splitlines()[-1])
    assert (recu["statut"], recu["type"], recu["authentifie"]) == \
        ("accepte", "ambition.lycee.ActiviteLyceeRealisee", True)
    deadline = time.monotonic() + 60  # and the fact is in the lycée's feed, as a domain event
    while not (vus := [e for _, e in flux(r.base_url, r.tokens[LYCEE])
                       if e["parcours"]["origine_event_id"] == recu["event_id"]]):
        assert time.monotonic() < deadline, "the accepted fact never reached the feed"
        time.sleep(0.3)
    assert [(e["type"], e["envelope"]["subject"], e["activite"]) for e in vus] == \
        [("ambition.parcours.ActiviteLyceeRealisee", cle, "PREPARATION_EPREUVES")]
