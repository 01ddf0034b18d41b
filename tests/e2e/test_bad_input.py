"""Each bad input ends on the rejected topic with its own reason code and its original bytes,
and the processor carries on with the next good message."""
from __future__ import annotations

import json
import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from ambition.api.jetons import demo_tokens
from ambition.contracts.codec import Registry
from ambition.contracts.partners import demo_partners
from ambition.sdk import LyceeProducer, MissionLocaleProducer
from contracts_support import bad_inputs
from test_walking_skeleton import RENTREE, TODAY

pytestmark = pytest.mark.e2e


def rejected_documents(bootstrap: str, topic: str) -> list[dict]:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False,
                             consumer_timeout_ms=3000)
    parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    docs = [json.loads(r.value) for r in consumer]
    consumer.close()
    return docs


def test_every_bad_input_is_rejected_with_its_code_and_processing_goes_on(running):
    import random

    from ambition.simulator import inscription

    creds = {c.partner_id: c for c in demo_partners(running.settings)}
    registry = Registry.load(running.settings.schemas_dir)
    lycee = LyceeProducer(creds["lycee:0753268V"], settings=running.settings)
    ml = MissionLocaleProducer(creds["ml:13002526500013"], settings=running.settings)
    ine = f"{uuid.uuid4().int % 10**10:010d}Z"  # a fresh élève, never enrolled
    cle = lycee.pseudonyme(ine)  # the Kafka key
    cases = bad_inputs(lycee, ml, registry, ine)
    for value, headers in cases.values():
        lycee.send_raw(value, headers, cle.encode())
    # then a good enrolment: the processor must still be there to take it
    fields, _ = inscription(random.Random(1), "0753268V", RENTREE, TODAY)
    fields.update(diplome="CAP", session_examen=RENTREE.year, en_emploi=False)
    lycee.eleve_inscrit(**fields)
    lycee.close()
    ml.close()

    tokens = demo_tokens(running.settings)
    running.http.headers["Authorization"] = f"Bearer {tokens['psad:national']}"
    body = running.wait_for("/v1/psad/synthese",
                            lambda b: b["entrees"] >= 1 and sum(b["refus"].values()) >= len(cases))
    assert body["entrees"] == 1
    assert body["refus"] == {code: 1 for code in cases}

    docs = {d["reason"]: d for d in rejected_documents(running.settings.bootstrap,
                                                         running.settings.topics.rejets)}
    assert set(docs) == set(cases)
    import base64
    for code, (value, _) in cases.items():
        assert base64.b64decode(docs[code]["original"]) == value, code
        assert docs[code]["topic"] == running.settings.topics.lycee
        assert docs[code]["message"]
    assert not running.platform.dead()
