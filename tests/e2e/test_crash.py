"""Crash recovery: each worker (the processor, the projection worker, the outbound relay) is
killed with SIGKILL in the middle of a stream of partner facts (shuffled across partners, so
parking is at work too), restarted, and the views equal the ground truth computed from what
was sent: no loss, no double count.

The closing bilans travel interleaved with the other facts: after a restart the processor
reads a backlog of three topics in no particular order across topics, so a lycée's or
Foquale's fact may be decided after the bilan that closed its parcours; dated before the
closure, it is accepted (ISSUE_UNIQUE as DOMAIN.md states it)."""
from __future__ import annotations

import time
from collections import Counter

import pytest
from platform_support import arreter, demarrer, essentiel, producteurs

from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer, melanger
from ambition.bootstrap import make_app

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def plateforme(tmp_path_factory):
    r = demarrer(tmp_path_factory.mktemp("crash"), AMBITION_PARKING_SWEEP="1", AMBITION_BATCH_SIZE="20")
    r.verite = {"entrees": 0, "issues": Counter(), "refus": Counter(), "par_lycee": Counter(),
                "jours": Counter(), "evenements": 0}
    r.store = make_app(r.settings)  # to know when every fact is stored
    yield r
    arreter(r)


def _attendu(v: dict) -> dict:
    return {"entrees": v["entrees"], "parcours_ouverts": v["entrees"] - sum(v["issues"].values()),
            "issues": dict(+v["issues"]), "refus": dict(+v["refus"])}


@pytest.mark.parametrize("worker", ["ingest", "projections", "relay"])
def test_a_worker_killed_mid_stream_loses_nothing_and_counts_nothing_twice(plateforme, worker):
    r, v = plateforme, plateforme.verite
    seed = {"ingest": 101, "projections": 202, "relay": 303}[worker]
    cohorte = generer(demo_partners(r.settings), 30, seed=seed, orphelins=False,
                      secret=r.settings.pseudonym_secret)
    faits = melanger(cohorte.faits, seed=3)
    assert any(f.cloture for f in faits[:len(faits) // 2])  # closures amid the stream, not last
    avant = r.get("/v1/psad/synthese")["entrees"]
    prods = producteurs(r)
    moitie = len(faits) // 2
    envoyer(faits[:moitie], prods)
    r.wait_for("/v1/psad/synthese", lambda b: b["entrees"] > avant, timeout=60)
    r.platform.kill(worker)  # SIGKILL, while the stream is being processed
    envoyer(faits[moitie:], prods)
    r.platform.start_worker(worker)
    # every fact but the ineligible enrolment, and a ParcoursClos per bilan
    v["evenements"] += len(faits) - 1 + sum(f.cloture for f in faits)
    deadline = time.monotonic() + 90
    while (r.store.recorder.max_notification_id() or 0) < v["evenements"]:
        assert time.monotonic() < deadline and not r.platform.dead(), "facts not stored"
        time.sleep(0.3)

    v["entrees"] += cohorte.entrees
    v["issues"] += cohorte.issues
    v["refus"] += cohorte.refus
    v["par_lycee"] += cohorte.par_lycee
    v["jours"] += cohorte.jours_pfmp
    r.wait_for("/v1/psad/synthese", lambda b: essentiel(b) == _attendu(v), timeout=90)
    for uai, n in v["par_lycee"].items():
        items = r.get(f"/v1/lycees/{uai}/eleves", f"lycee:{uai}", limit=1000)["items"]
        assert len(items) == n
        assert sum(e["jours_pfmp"] for e in items) == v["jours"][uai]
        assert all(e["mission_locale"] for e in items)
    assert essentiel(r.get("/v1/psad/synthese")) == _attendu(v)  # and it stays there
    assert r.store.recorder.max_notification_id() == v["evenements"]  # nothing refused
