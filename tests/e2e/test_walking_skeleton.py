"""An enrolment travels from a lycée system to the PSAD view, over the real broker."""
from __future__ import annotations

import random
import uuid
from datetime import date

from ambition.api.jetons import demo_tokens
from ambition.contracts.partners import demo_partners
from ambition.pseudonym import cle_parcours
from ambition.sdk.lycee import LyceeProducer
from ambition.simulator import inscription

TODAY = date(2026, 11, 20)
RENTREE = date(2026, 9, 1)


def test_enrolments_duplicates_ineligible_and_garbage_reach_the_views(running):
    creds = [c for c in demo_partners(running.settings) if c.type == "LYCEE"]
    lycee_a, lycee_b = creds[0], creds[1]
    rng = random.Random(7)
    sent = {lycee_a.identifiant: [], lycee_b.identifiant: []}
    with LyceeProducer(lycee_a, settings=running.settings) as pa, \
            LyceeProducer(lycee_b, settings=running.settings) as pb:
        for i in range(20):
            producer, cred = (pa, lycee_a) if i % 2 else (pb, lycee_b)
            fields, motif = inscription(rng, cred.identifiant, RENTREE, TODAY)
            fields.update(diplome="CAP", session_examen=2026, en_emploi=False)  # all eligible
            meta = producer.eleve_inscrit(**fields, event_id=str(uuid.uuid4()))
            assert meta.topic == "ambition.partenaires.lycee"
            sent[cred.identifiant].append(cle_parcours(fields["ine"], running.settings.pseudonym_secret))
        # a duplicate: the very same event sent twice (a partner retry)
        fields, _ = inscription(rng, lycee_a.identifiant, RENTREE, TODAY)
        fields.update(diplome="BAC_PRO", session_examen=2026, en_emploi=False)
        dup_id = str(uuid.uuid4())
        pa.eleve_inscrit(**fields, event_id=dup_id)
        pa.eleve_inscrit(**fields, event_id=dup_id)
        sent[lycee_a.identifiant].append(cle_parcours(fields["ine"], running.settings.pseudonym_secret))
        # an ineligible one: a BTS
        fields, _ = inscription(rng, lycee_a.identifiant, RENTREE, TODAY)
        fields.update(diplome="BTS")
        pa.eleve_inscrit(**fields)
        # garbage bytes
        pa.send_raw(b"\x00\x01 not avro at all", [], b"garbage")

    tokens = demo_tokens(running.settings)  # the API requires each actor's bearer token
    running.http.headers["Authorization"] = f"Bearer {tokens['psad:national']}"
    body = running.wait_for("/v1/psad/synthese",
                            lambda b: b["entrees"] + sum(b["refus"].values()) >= 23)
    assert body["entrees"] == 21
    assert body["refus"]["ELIGIBILITE_DIPLOME"] == 1
    assert body["refus"]["MAGIQUE_INVALIDE"] == 1
    assert sum(body["refus"].values()) == 2

    running.http.headers["Authorization"] = f"Bearer {tokens[lycee_a.partner_id]}"
    view = running.get(f"/v1/lycees/{lycee_a.identifiant}/eleves", limit=100)
    assert view["total"] == len(sent[lycee_a.identifiant]) == 11
    assert {e["cle"] for e in view["items"]} == set(sent[lycee_a.identifiant])
    assert all(e["etat"] == "OUVERT" and e["diplome"] in {"CAP", "BAC_PRO"} for e in view["items"])
    # no INE anywhere in what the API answers
    assert "ine" not in view["items"][0]


def test_the_consumer_survives_and_the_metrics_count(running):
    """Its own enrolment and garbage (whatever ran before in the module): the consumer decides
    both, counts each, and no worker exits."""
    from platform_support import metrique
    from verite import attendre

    port = running.settings.ingest_metrics_port
    acceptes = ("ambition_messages_consumed_total",
                {"outcome": "accepte", "topic": "ambition.partenaires.lycee"})
    illisibles = ("ambition_rejected_total", {"reason": "MAGIQUE_INVALIDE"})
    avant = {n: metrique(port, n, **labels) for n, labels in (acceptes, illisibles)}
    lycee = next(c for c in demo_partners(running.settings) if c.type == "LYCEE")
    with LyceeProducer(lycee, settings=running.settings) as producer:
        fields, _ = inscription(random.Random(71), lycee.identifiant, RENTREE, TODAY)
        fields.update(diplome="CAP", session_examen=2026, en_emploi=False)
        producer.eleve_inscrit(**fields, event_id=str(uuid.uuid4()))
        producer.send_raw(b"\x00\x02 still not avro", [], b"garbage-2")
    attendre(lambda: all(metrique(port, n, **labels) == avant[n] + 1 for n, labels in (acceptes, illisibles)),
             60, "the enrolment accepted and the garbage refused, each counted once")
    assert metrique(port, "ambition_processing_seconds_count") > 0
    assert not running.platform.dead()
