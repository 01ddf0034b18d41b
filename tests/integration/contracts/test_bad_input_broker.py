"""Bad input sent with ``send_raw`` through the real broker: ``lire`` gives each its own reason code."""
from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from ambition.contracts.inbound import Rejet, lire
from ambition.sdk import LyceeProducer, MissionLocaleProducer
from attente import consommer
from contracts_support import bad_inputs

pytestmark = pytest.mark.integration


def test_each_bad_input_has_its_reason_code(kafka_bootstrap, settings, registry, creds, directory):
    lycee = LyceeProducer(creds["lycee:0753268V"], kafka_bootstrap, settings=settings, registry=registry)
    ml = MissionLocaleProducer(creds["ml:13002526500013"], settings=settings, registry=registry,
                               producer=lycee._producer, topic=lycee.topic)  # shares the lycée topic
    ine = f"{uuid.uuid4().int % 10**10:010d}Z"  # a fresh élève: this test reads only its own messages
    cle = lycee.pseudonyme(ine)  # the Kafka key: the lycée's pseudonym of the élève
    cases = bad_inputs(lycee, ml, registry, ine)
    for code, (value, h) in cases.items():
        lycee.send_raw(value, h + [("test-case", code.encode())], cle.encode())
    lycee.close()

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False)
    parts = [TopicPartition(lycee.topic, p) for p in consumer.partitions_for_topic(lycee.topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)

    def verdict(r):
        if r.key != cle.encode():
            return None
        with pytest.raises(Rejet) as exc:
            lire("LYCEE", r.value, r.headers, registry, directory)
        return dict(r.headers)["test-case"].decode(), exc.value.code

    try:
        got = consommer(consumer, verdict, lambda kept: len(kept) >= len(cases),
                        f"the {len(cases)} bad messages read back")
    finally:
        consumer.close()
    assert dict(got) == {code: code for code in cases} and len(got) == len(cases)
