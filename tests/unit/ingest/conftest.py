"""Ingest unit fixtures: the processor on a SQLite event store in tmp_path, fed by the partners'
SDK producers through an in-memory producer (no broker: unit tier)."""
from __future__ import annotations

from collections import Counter

import pytest

from contracts_support import FakeKafkaProducer, creds, directory, registry, settings  # noqa: F401
from ambition.bootstrap import make_app
from ambition.ingest.messages import Incoming
from ambition.ingest.processor import Processor
from ambition.sdk import PRODUCERS


class Envoyeur:
    """Every demo partner's SDK producer; ``envoie(*faits)`` returns the messages as the agent
    would receive them, with their offsets numbered from 0 in each topic."""

    def __init__(self, settings, registry, creds):
        self.kafka = FakeKafkaProducer()
        self.producteurs = {pid: PRODUCERS[c.type](c, settings=settings, registry=registry,
                                                   producer=self.kafka) for pid, c in creds.items()}
        self.lu = 0
        self.offsets: Counter = Counter()

    def envoie(self, *faits) -> list[Incoming]:
        for f in faits:
            getattr(self.producteurs[f.partner_id], f.methode)(**f.champs)
        out = []
        for s in self.kafka.sent[self.lu:]:
            out.append(Incoming(s["topic"], 0, self.offsets[s["topic"]], s["key"], s["value"],
                                list(s["headers"] or [])))
            self.offsets[s["topic"]] += 1
        self.lu = len(self.kafka.sent)
        return out


@pytest.fixture
def envoyeur(settings, registry, creds):
    return Envoyeur(settings, registry, creds)


@pytest.fixture
def processor_factory(settings, registry, directory):
    def make(**options):
        return Processor(settings, make_app(settings), registry, directory, **options)
    return make
