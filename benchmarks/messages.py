"""Signed enrolments from the demo lycées, as a rentrée upload sends them (shared by the benchmarks)."""
from __future__ import annotations

import random
import time
from dataclasses import dataclass

from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from ambition.parcours.calendrier import Calendrier
from ambition.sdk.lycee import LyceeProducer
from ambition.simulator import inscription


@dataclass(frozen=True)
class Lot:
    messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]  # (Kafka key, value, headers)
    seconds: float  # time the SDK took to build and sign them

    @property
    def per_second(self) -> float:
        return len(self.messages) / self.seconds


def enrolments(settings: Settings, n: int, seed: int = 42) -> Lot:
    """n enrolments, each eligible or not as the simulator draws it, built and signed by the SDK
    (the identity sealed, Avro, Ed25519); the fields are drawn before the clock starts."""
    rng = random.Random(seed)
    lycees = [c for c in demo_partners(settings) if c.type == "LYCEE"]
    builders = {c.partner_id: LyceeProducer(c, settings=settings, producer=object()) for c in lycees}
    rentree = Calendrier().rentree(2026)
    drawn = []
    for _ in range(n):
        cred = rng.choice(lycees)
        fields, _ = inscription(rng, cred.identifiant, rentree, rentree.replace(month=11))
        drawn.append((builders[cred.partner_id], {**fields, "uai": cred.identifiant,
                                                  "mission_locale_pressentie": None}))
    started = time.perf_counter()
    messages = []
    for b, fields in drawn:
        value, headers = b.build("EleveInscrit", b.cle(fields["ine"]), fields)
        messages.append((b.pseudonyme(fields["ine"]).encode(), value, headers))
    return Lot(messages, time.perf_counter() - started)
