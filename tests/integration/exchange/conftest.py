"""Exchange fixtures: demo partners in a tmp var dir, producers recording what they would send."""
from __future__ import annotations

import pytest
from contracts_support import SCHEMAS, FakeKafkaProducer, creds, directory, registry, settings  # noqa: F401

from ambition.ingest.processor import Incoming, Processor
from ambition.parcours import make_app
from ambition.sdk import PRODUCERS


class Enregistreur:
    """Every partner's SDK producer, writing into one list of Incoming (as the broker would)."""

    def __init__(self, settings, registry, creds):
        self.fake = FakeKafkaProducer()
        self.producteurs = {pid: PRODUCERS[c.type](c, settings=settings, registry=registry,
                                                   producer=self.fake) for pid, c in creds.items()}
        self.lu = 0

    def nouveaux(self) -> list[Incoming]:
        out = [Incoming(s["topic"], 0, i, s["key"], s["value"], list(s["headers"]))
               for i, s in enumerate(self.fake.sent) if i >= self.lu]
        self.lu = len(self.fake.sent)
        return out


@pytest.fixture
def enregistreur(settings, registry, creds):
    return Enregistreur(settings, registry, creds)


@pytest.fixture
def processor_factory(settings, registry, directory):
    def make(**options):
        return Processor(settings, make_app(settings), registry, directory, **options)
    return make
