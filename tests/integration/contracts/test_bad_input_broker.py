"""Bad input sent with ``send_raw`` through the real broker: ``lire`` gives each its own reason code."""
from __future__ import annotations

import uuid
from datetime import date

import pytest
from kafka import KafkaConsumer, TopicPartition

from ambition.contracts import signing
from ambition.contracts.codec import MAGIC
from ambition.contracts.inbound import Rejet, lire
from ambition.sdk import LyceeProducer, MissionLocaleProducer

pytestmark = pytest.mark.integration


def test_each_bad_input_has_its_reason_code(kafka_bootstrap, settings, registry, creds, directory):
    lycee = LyceeProducer(creds["lycee:0753268V"], kafka_bootstrap, settings=settings, registry=registry)
    ml = MissionLocaleProducer(creds["ml:13002526500013"], settings=settings, registry=registry,
                               producer=lycee._producer, topic=lycee.topic)  # shares the lycée topic
    cle = uuid.uuid4().hex  # a fresh key: this test reads only its own messages
    good, headers = lycee.build("PfmpTerminee", cle, dict(periode_id="p", date_fin=date(2025, 11, 1)))

    def resigned(value, h=headers):
        h = [(k, v) for k, v in h if k != signing.SIGNATURE_HEADER]
        return h + [(signing.SIGNATURE_HEADER, signing.sign(lycee.credentials.private_key, value, h))]

    record = registry.decode(good).record
    pfmp = registry.encode("ambition.lycee.PfmpDebutee", {**record, "siret": "44321868900019",
                           "date_debut": date(2025, 10, 1), "date_fin_prevue": date(2025, 10, 9),
                           "envelope": {**record["envelope"], "type": "ambition.lycee.PfmpDebutee"}})
    pfmp_headers = [(k, b"ambition.lycee.PfmpDebutee" if k == "ce_type" else v) for k, v in headers]
    forged = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    forged.append((signing.SIGNATURE_HEADER, signing.sign(signing.new_key_pair()[0], good, forged)))
    pacea, pacea_headers = ml.build("PaceaSigne", cle, dict(date_signature=date(2025, 10, 2)))
    cases = {
        "MESSAGE_TRONQUE": (good[:7], headers),
        "MAGIQUE_INVALIDE": (b"\x00\x01" + good[2:], headers),
        "SCHEMA_INCONNU": (MAGIC + b"\xff" * 8 + good[10:], headers),
        "DECODAGE_IMPOSSIBLE": (good[:12], headers),
        "SIGNATURE_INVALIDE": (good, forged),
        "TYPE_HORS_TOPIC": (pacea, pacea_headers),
        "SIRET_INVALIDE": (pfmp, resigned(pfmp, pfmp_headers)),
    }
    for code, (value, h) in cases.items():
        lycee.send_raw(value, h + [("test-case", code.encode())], cle.encode())
    lycee.close()

    consumer = KafkaConsumer(bootstrap_servers=kafka_bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=2000)
    parts = [TopicPartition(lycee.topic, p) for p in consumer.partitions_for_topic(lycee.topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    got = {}
    for r in consumer:
        if r.key == cle.encode():
            expected = dict(r.headers)["test-case"].decode()
            with pytest.raises(Rejet) as exc:
                lire("LYCEE", r.value, r.headers, registry, directory)
            got[expected] = exc.value.code
    consumer.close()
    assert got == {code: code for code in cases}
