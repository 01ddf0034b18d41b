"""A broker outage in the middle of a partner's stream, and a partner restart: nothing is lost,
nothing counts twice. The broker is frozen (SIGSTOP) for a minute; the platform's own processes
see the outage too and must recover by themselves after SIGCONT."""
from __future__ import annotations

import random
import time
import uuid
from datetime import date

import httpx

from ambition.api.jetons import demo_tokens
from ambition.contracts.partners import demo_partners
from ambition.pseudonym import cle_parcours
from ambition.sdk.lycee import LyceeProducer
from ambition.simulator import inscription
from platform_support import tout_decide_et_projete

TODAY = date(2026, 11, 20)
RENTREE = date(2026, 9, 1)
FREEZE_SECONDS = 60


def as_actor(running, actor: str) -> None:
    """The API answers each actor with its bearer token: the PSAD, or a lycée (its partner id)."""
    running.http.headers["Authorization"] = f"Bearer {demo_tokens(running.settings)[actor]}"


def eligible(rng, uai):
    fields, _ = inscription(rng, uai, RENTREE, TODAY)
    fields.update(diplome="CAP", session_examen=2026, en_emploi=False, en_formation=False)
    return fields


def synthese_settled(running, entrees, refus, timeout=180):
    as_actor(running, "psad:national")
    return running.wait_for("/v1/psad/synthese",
                            lambda b: b["entrees"] + sum(b["refus"].values()) >= entrees + refus,
                            timeout=timeout)


def test_a_minute_of_broker_outage_loses_nothing(running, tmp_path):
    cred = [c for c in demo_partners(running.settings) if c.type == "LYCEE"][2]
    rng = random.Random(61)
    sent, refused = [], 0
    p = LyceeProducer(cred, settings=running.settings, outbox_path=tmp_path / "lycee.outbox")
    try:
        for _ in range(10):  # before the outage
            f = eligible(rng, cred.identifiant)
            eid = str(uuid.uuid4())
            p.eleve_inscrit(**f, event_id=eid)
            sent.append(cle_parcours(f["ine"], running.settings.pseudonym_secret))
        assert p.flush(timeout=30)
        p.eleve_inscrit(**f, event_id=eid)  # a partner retry of an acknowledged event
        assert p.flush(timeout=30)
        # the whole platform is live (groups joined, events flowing) before the outage
        as_actor(running, "psad:national")
        running.wait_for("/v1/psad/synthese", lambda b: b["entrees"] >= 10)
        running.broker.freeze()
        frozen_at = time.monotonic()
        try:
            for i in range(30):  # during the outage, spread over the first half of it
                f = eligible(rng, cred.identifiant)
                eid = str(uuid.uuid4())
                p.eleve_inscrit(**f, event_id=eid)
                if i % 10 == 0:  # the same event again while waiting: the outbox keeps it once
                    p.eleve_inscrit(**f, event_id=eid)
                sent.append(cle_parcours(f["ine"], running.settings.pseudonym_secret))
                time.sleep(1)
            f = eligible(rng, cred.identifiant)
            f["diplome"] = "BTS"  # refused by the platform, once
            p.eleve_inscrit(**f)
            refused += 1
            assert p.pending() >= 31
            time.sleep(max(0.0, FREEZE_SECONDS - (time.monotonic() - frozen_at)))
        finally:
            running.broker.thaw()
        for _ in range(5):  # after the outage
            f = eligible(rng, cred.identifiant)
            p.eleve_inscrit(**f)
            sent.append(cle_parcours(f["ine"], running.settings.pseudonym_secret))
        assert p.flush(timeout=120), f"{p.pending()} event(s) still in the outbox after the thaw"
    finally:
        p.close()

    body = synthese_settled(running, len(sent), refused)
    as_actor(running, cred.partner_id)
    view = running.get(f"/v1/lycees/{cred.identifiant}/eleves", limit=1000)
    assert body["entrees"] == len(sent) == 45
    assert body["refus"] == {"ELIGIBILITE_DIPLOME": 1}
    assert view["total"] == 45 and sorted(e["cle"] for e in view["items"]) == sorted(sent)
    tout_decide_et_projete(running)  # every message decided and projected: late duplicates would show now
    as_actor(running, "psad:national")
    assert running.get("/v1/psad/synthese")["entrees"] == 45
    assert not running.platform.dead()
    text = httpx.get(f"http://127.0.0.1:{running.settings.ingest_metrics_port}/metrics").text
    doublons = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(
        'ambition_messages_consumed_total{outcome="doublon",topic="ambition.partenaires.lycee"}')]
    assert doublons and doublons[0] >= 1  # the partner's retry did arrive, and counted once


def test_a_partner_restart_during_an_outage_resends_exactly_once(running, tmp_path):
    cred = [c for c in demo_partners(running.settings) if c.type == "LYCEE"][3]
    rng = random.Random(62)
    as_actor(running, "psad:national")
    before = running.get("/v1/psad/synthese")
    path = tmp_path / "restart.outbox"
    sent = []
    running.broker.freeze()
    try:
        first = LyceeProducer(cred, settings=running.settings, outbox_path=path)
        for _ in range(5):
            f = eligible(rng, cred.identifiant)
            first.eleve_inscrit(**f)
            sent.append(cle_parcours(f["ine"], running.settings.pseudonym_secret))
        first.close(timeout=2)  # the partner system stops with its events unsent
        # ... and starts again while the broker is still away
        second = LyceeProducer(cred, settings=running.settings, outbox_path=path)
        assert second.pending() == 5
        time.sleep(3)
    finally:
        running.broker.thaw()
    try:
        assert second.flush(timeout=120)
    finally:
        second.close()
    as_actor(running, cred.partner_id)
    body = running.wait_for("/v1/lycees/" + cred.identifiant + "/eleves",
                            lambda b: b["total"] >= 5, timeout=180, limit=1000)
    assert sorted(e["cle"] for e in body["items"]) == sorted(sent)
    tout_decide_et_projete(running)
    assert running.get(f"/v1/lycees/{cred.identifiant}/eleves", limit=1000)["total"] == 5
    as_actor(running, "psad:national")
    after = running.get("/v1/psad/synthese")
    assert after["entrees"] - before["entrees"] == 5
