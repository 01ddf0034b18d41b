"""Exchange fixtures: the REAL broker and PostgreSQL.

Partners publish through their SDK producers to the session's Tansu broker; the processor is
handed the records the broker gives back (their real partitions, offsets, keys and headers);
the event store, the parking and the relay's position live in a fresh PostgreSQL database.
"""
from __future__ import annotations

import os
import uuid
from collections import defaultdict

import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from attente import DELAI, jusqua
from contracts_support import SCHEMAS, creds, directory, registry  # noqa: F401
from ambition.config import Settings
from ambition.ingest.messages import Incoming
from ambition.ingest.processor import Processor
from ambition.bootstrap import make_app
from ambition.sdk import PRODUCERS
from pgcluster import pg_prive  # noqa: F401

PG_HOST = os.environ.get("AMBITION_TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("AMBITION_TEST_PG_PORT", "5432"))
PG_USER = os.environ.get("AMBITION_TEST_PG_USER", "postgres")


@pytest.fixture
def bases_postgres():
    """Creates fresh databases on the shared server (``bases_postgres()`` -> DSN); drops them after."""
    admin = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres connect_timeout=5"
    noms = []

    def nouvelle() -> str:
        nom = f"ambition_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{nom}"')
        noms.append(nom)
        return f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{nom}"
    yield nouvelle
    with psycopg.connect(admin, autocommit=True) as conn:
        for nom in noms:
            conn.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


@pytest.fixture
def settings(tmp_path, bases_postgres, kafka_bootstrap) -> Settings:
    return Settings(var_dir=tmp_path / "var", schemas_dir=SCHEMAS, event_store=bases_postgres(),
                    kafka_bootstrap=kafka_bootstrap)


class ProducteurQuiNote:
    """A real kafka-python producer that remembers where the broker put each message."""

    def __init__(self, bootstrap: str):
        self.kafka = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
        self.envoyes = []  # RecordMetadata, in sending order

    def send(self, topic, value=None, key=None, headers=None):
        meta = self.kafka.send(topic, value=value, key=key, headers=headers).get(timeout=DELAI)
        self.envoyes.append(meta)
        return _Acquitte(meta)

    def flush(self, timeout=None):
        self.kafka.flush(timeout)

    def close(self, timeout=None):
        self.kafka.close(timeout=5)


class _Acquitte:
    def __init__(self, meta):
        self.meta = meta

    def get(self, timeout=None):
        return self.meta


class Enregistreur:
    """Every partner's SDK producer on the real broker; ``nouveaux()`` reads back from the broker
    the messages sent since the last call, as the ingestion agent would receive them."""

    def __init__(self, settings, registry, creds, bootstrap):
        self.kafka = ProducteurQuiNote(bootstrap)
        self.producteurs = {pid: PRODUCERS[c.type](c, settings=settings, registry=registry,
                                                   producer=self.kafka) for pid, c in creds.items()}
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
        self.lu = 0
        self.cles: list[bytes | None] = []  # every key sent, in order
        self.messages: list[Incoming] = []  # every message read back, in order

    def nouveaux(self) -> list[Incoming]:
        voulus = self.kafka.envoyes[self.lu:]
        self.lu = len(self.kafka.envoyes)
        if not voulus:
            return []
        debut = defaultdict(lambda: None)
        for m in voulus:
            tp = TopicPartition(m.topic, m.partition)
            debut[tp] = m.offset if debut[tp] is None else min(debut[tp], m.offset)
        self.consumer.assign(list(debut))
        for tp, offset in debut.items():
            self.consumer.seek(tp, offset)
        attendus = {(m.topic, m.partition, m.offset) for m in voulus}
        lus: dict = {}

        def tout_lu():
            for records in self.consumer.poll(timeout_ms=200).values():
                for r in records:
                    if (r.topic, r.partition, r.offset) in attendus:
                        lus[(r.topic, r.partition, r.offset)] = Incoming(
                            r.topic, r.partition, r.offset, r.key, r.value, list(r.headers))
            return len(lus) == len(attendus)
        jusqua(tout_lu, f"{len(attendus)} message(s) read back from the broker")
        out = [lus[(m.topic, m.partition, m.offset)] for m in voulus]
        self.cles += [i.key for i in out]
        self.messages += out
        return out

    def close(self):
        self.consumer.close()
        self.kafka.close()


@pytest.fixture
def enregistreur(settings, registry, creds, kafka_bootstrap):
    e = Enregistreur(settings, registry, creds, kafka_bootstrap)
    yield e
    e.close()


@pytest.fixture
def processor_factory(settings, registry, directory):
    # each processor's event store is closed after the test: a PostgreSQL pool left open on a
    # database dropped at teardown would go on reconnecting in its threads for the session
    stores = []

    def make(**options):
        stores.append(make_app(settings))
        return Processor(settings, stores[-1], registry, directory, **options)
    yield make
    for store in stores:
        store.close()
