"""The SDK producers send every partner event type to a real broker; ``lire`` accepts what comes back."""
from __future__ import annotations


import time
from datetime import date

import pytest
from kafka import KafkaConsumer, TopicPartition

from ambition.config import load_topics
from ambition.contracts.inbound import lire
from ambition.pseudonym import cle_parcours
from ambition.sdk import PRODUCERS
from contracts_support import INSCRIPTION

pytestmark = pytest.mark.integration
CE_HEADERS = {"ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion", "content-type",
              "ambition-signature", "ambition-partner"}


def read_back(bootstrap, topics, count, timeout=20.0):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=1000)
    parts = [TopicPartition(t, p) for t in topics for p in consumer.partitions_for_topic(t)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    out, deadline = [], time.monotonic() + timeout
    try:
        while len(out) < count and time.monotonic() < deadline:
            out.extend(consumer)
    finally:
        consumer.close()
    return out


def test_every_event_type_goes_through_the_broker(kafka_bootstrap, settings, registry, creds, directory):
    def producer(pid):
        c = creds[pid]
        return PRODUCERS[c.type](c, kafka_bootstrap, settings=settings, registry=registry)

    lycee, ml, foq = producer("lycee:0753268V"), producer("ml:13002526500013"), producer("foquale:ac-paris")
    ine = "9876543210Z"  # a distinct élève, so this test only reads its own messages
    cle = ine  # every partner's SDK seals it; the Kafka key is each partner's own pseudonym
    cles_kafka = {p.pseudonyme(ine).encode() for p in (lycee, ml, foq)}
    d = date(2025, 10, 6)
    try:
        metas = [
            lycee.eleve_inscrit(**{**INSCRIPTION, "ine": ine}),
            lycee.referent_change(cle=cle, referent="Mme Petit", date_effet=d),
            lycee.activite_lycee_realisee(cle=cle, activite="CONSOLIDATION_ACQUIS", date=d, duree_heures=3),
            lycee.pfmp_debutee(cle=cle, periode_id="p1", siret="44321868900018", date_debut=d,
                               date_fin_prevue=date(2025, 10, 24)),
            lycee.pfmp_terminee(cle=cle, periode_id="p1", date_fin=date(2025, 10, 24)),
            lycee.abandon_declare(cle=cle, date=date(2025, 12, 1)),
            lycee.inscription_corrigee(cle=cle, date=d, numero=1, motif="erreur", boursier=True),
            lycee.mission_locale_changee(cle=cle, date=d, numero=1, siret="34225437400024"),
            lycee.issue_corrigee(cle=cle, date=date(2025, 12, 2), issue="EMPLOI", motif="CDD",
                                 numero=1),
            ml.accueil_realise(cle=cle, conseiller="c-7", date=d),
            ml.pacea_signe(cle=cle, date_signature=d),
            ml.pacea_termine(cle=cle, date_fin=date(2025, 12, 1)),
            ml.activite_realisee(cle=cle, activite="ATELIER_TRE", date=d),
            ml.stage_debute(cle=cle, periode_id="s1", nature="IMMERSION", siret="44321868900018",
                            date_debut=d, date_fin_prevue=date(2025, 10, 10)),
            ml.stage_termine(cle=cle, periode_id="s1", date_fin=date(2025, 10, 10)),
            ml.bilan_realise(cle=cle, date=date(2025, 12, 15), issue="FORMATION"),
            ml.issue_corrigee(cle=cle, date=date(2025, 12, 20), issue="EMPLOI", motif="CDD signé",
                              numero=1),
            foq.positionnement_realise(cle=cle, date=d),
            foq.solution_proposee(cle=cle, solution_id="f1", solution="REMOBILISATION", date=d),
            foq.solution_demarree(cle=cle, solution_id="f1", date=d),
        ]
    finally:
        for p in (lycee, ml, foq):
            p.close()
    assert all(m.offset >= 0 for m in metas)

    topics = load_topics()
    records = [r for r in read_back(kafka_bootstrap, list(topics.partenaires.values()), len(metas))
               if r.key in cles_kafka]
    assert len(records) == len(metas)
    by_topic = {v: k for k, v in topics.partenaires.items()}
    types = set()
    for r in records:
        assert r.key in cles_kafka and ine.encode() not in r.key and ine.encode() not in r.value
        assert all(ine.encode() not in v for _, v in r.headers)
        assert CE_HEADERS <= {k for k, _ in r.headers}
        assert dict(r.headers)["ce_specversion"] == b"1.0"
        lu = lire(by_topic[r.topic], r.value, r.headers, registry, directory)
        assert lu.cle == cle_parcours(ine, settings.pseudonym_secret) and ine not in lu.envelope["subject"]
        types.add(lu.fullname)
    assert types == {n for n in registry.fullnames() if not n.startswith("ambition.parcours.")}
    for topic in topics.partenaires.values():  # one parcours, one partition per topic: its order is kept
        assert len({r.partition for r in records if r.topic == topic}) == 1
