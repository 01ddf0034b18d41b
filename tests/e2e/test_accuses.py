"""Receipts end to end: every partner message gets the right receipt, for its partner only, from
the API and on the receipts topic; a partner's token sees nobody else's."""
from __future__ import annotations

import json
import random
import time
import uuid

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition
from platform_support import producteurs

from ambition.exchange.cohorte import RENTREE, TODAY
from ambition.simulator import inscription

pytestmark = pytest.mark.e2e
LYCEE, AUTRE, ML = "lycee:0753268V", "lycee:0010001W", "ml:13002526500013"


def accuses(r, actor: str, depuis: int = 0) -> list[dict]:
    return r.get("/v1/partenaires/moi/accuses", actor, depuis=depuis)["accuses"]


def attendre_accuses(r, actor: str, event_ids: set[str], timeout: float = 60) -> dict[str, list[dict]]:
    deadline = time.monotonic() + timeout
    while True:
        par_event: dict[str, list[dict]] = {}
        for a in accuses(r, actor):
            par_event.setdefault(a["event_id"], []).append(a)
        if event_ids <= set(par_event) or time.monotonic() > deadline:
            return par_event
        time.sleep(0.3)


def test_each_message_gets_its_receipt_for_its_partner_only(running):
    r = running
    p = producteurs(r)
    champs, _ = inscription(random.Random(11), "0753268V", RENTREE, TODAY)
    champs.update(diplome="BAC_PRO", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    accepte, refuse, parque = (str(uuid.uuid4()) for _ in range(3))
    p[LYCEE].eleve_inscrit(**champs, event_id=accepte)
    p[LYCEE].eleve_inscrit(**champs, event_id=accepte)  # the same event again
    bts, _ = inscription(random.Random(12), "0753268V", RENTREE, TODAY)
    bts.update(diplome="BTS", specialite="Management", session_examen=RENTREE.year, en_emploi=False)
    p[LYCEE].eleve_inscrit(**bts, event_id=refuse)
    p[ML].accueil_realise(cle="0" * 32, conseiller="C. Roux", date=TODAY, event_id=parque)

    recus = attendre_accuses(r, LYCEE, {accepte, refuse})
    assert sorted(a["statut"] for a in recus[accepte]) == ["accepte", "doublon"]
    [refus] = recus[refuse]
    assert (refus["statut"], refus["code"], refus["authentifie"]) == ("refuse", "ELIGIBILITE_DIPLOME", True)
    assert refus["message"] and refus["type"] == "ambition.lycee.EleveInscrit"
    ml = attendre_accuses(r, ML, {parque})
    assert [(a["statut"], a["code"]) for a in ml[parque]] == [("parque", None)]

    assert {a["partenaire"] for a in accuses(r, LYCEE)} == {LYCEE}
    assert parque not in {a["event_id"] for a in accuses(r, LYCEE)}
    assert not {accepte, refuse, parque} & {a["event_id"] for a in accuses(r, AUTRE)}
    toutes = json.dumps(accuses(r, LYCEE) + accuses(r, ML))
    for personnel in (champs["ine"], champs["nom"], bts["ine"], bts["nom"], champs["date_naissance"].isoformat()):
        assert personnel not in toutes

    derniere = accuses(r, LYCEE)[-1]["position"]  # resuming after the last position gives nothing new
    assert accuses(r, LYCEE, depuis=derniere) == []
    psad = httpx.get(f"{r.base_url}/v1/partenaires/moi/accuses",
                     headers={"Authorization": f"Bearer {r.tokens['psad:national']}"})
    assert psad.status_code == 403
    assert httpx.get(f"{r.base_url}/v1/partenaires/moi/accuses").status_code == 401

    sur_topic = lire_topic(r.settings.bootstrap, r.settings.topics.accuses, {accepte, refuse, parque})
    assert {(k, d["event_id"], d["statut"]) for k, d in sur_topic} >= {
        (LYCEE, accepte, "accepte"), (LYCEE, accepte, "doublon"), (LYCEE, refuse, "refuse"),
        (ML, parque, "parque")}


def test_the_sdk_reads_its_receipts(running):
    r = running
    p = producteurs(r)
    eid = str(uuid.uuid4())
    bts, _ = inscription(random.Random(13), "0010001W", RENTREE, TODAY)
    bts.update(diplome="BTS", specialite="Management")
    from ambition.sdk import LyceeProducer
    from ambition.contracts.partners import demo_partners
    creds = next(c for c in demo_partners(r.settings) if c.partner_id == AUTRE)
    with LyceeProducer(creds, settings=r.settings, api_token=r.tokens[AUTRE]) as lycee:
        lycee.eleve_inscrit(**bts, event_id=eid)
        deadline = time.monotonic() + 60
        while not [a for a in lycee.accuses() if a["event_id"] == eid]:
            assert time.monotonic() < deadline, "no receipt"
            time.sleep(0.3)
        [a] = [a for a in lycee.accuses() if a["event_id"] == eid]
    assert a["statut"] == "refuse" and a["code"] == "ELIGIBILITE_DIPLOME"
    del p


def lire_topic(bootstrap: str, topic: str, event_ids: set[str], timeout: float = 30) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=1000)
    parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    vus, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for m in consumer:
                vus.append((m.key.decode(), json.loads(m.value)))
            if event_ids <= {d["event_id"] for _, d in vus}:
                break
    finally:
        consumer.close()
    return vus
