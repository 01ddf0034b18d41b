"""Messages built and signed by the partner SDK (shared by the benchmarks), and its own speed.

Two mixes are measured, both through the producers' event methods (``build_many``):

- **enrolments only** (``EleveInscrit``), a rentrée upload: the worst case, each message seals
  the élève twice (the subject and the identity) and signs once;
- **a cohort**: every fact of young people's parcours as the simulator tells them (enrolment,
  accueil, activities, PFMP, stage, PACEA, Foquale, closure) from the lycées, missions locales
  and Foquale networks: one enrolment in about a dozen messages, so about one seal a message.

Each in this process (one core), and spread over worker processes (``sdk.atelier.Atelier``,
started before the clock: their start is printed apart).
"""
from __future__ import annotations

import random
import statistics
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from ambition.parcours.calendrier import Calendrier
from ambition.sdk import PRODUCERS
from ambition.sdk.atelier import Atelier
from ambition.simulation.histoires import histoire
from ambition.simulator import inscription


@dataclass(frozen=True)
class Lot:
    messages: list[tuple[bytes, bytes, list[tuple[str, bytes]]]]  # (Kafka key, value, headers)
    seconds: float  # time the SDK took to build and sign them
    cpu: float = 0.0  # CPU time of this process meanwhile

    @property
    def per_second(self) -> float:
        return len(self.messages) / self.seconds

    @property
    def per_cpu_second(self) -> float:
        """Messages per second of this process's CPU: what one free core would do, whatever
        the machine's other jobs take (meaningless when workers build)."""
        return len(self.messages) / self.cpu


# calls to one producer's methods: (producer, [(method, keyword arguments), ...])
Appels = list[tuple[object, list[tuple[str, dict]]]]


def _producteurs(settings: Settings) -> dict:
    return {c.partner_id: PRODUCERS[c.type](c, settings=settings, producer=object())
            for c in demo_partners(settings)}


def _grouper(tires: list[tuple[object, tuple[str, dict]]]) -> Appels:
    par: dict = defaultdict(list)
    for producteur, call in tires:
        par[producteur].append(call)
    return list(par.items())


def _inscriptions(settings: Settings, n: int, seed: int, producteurs: dict | None) -> list:
    """(producer, call) of n enrolments in the order drawn, each eligible or not as the
    simulator draws it, from the demo lycées."""
    rng = random.Random(seed)
    producteurs = producteurs or _producteurs(settings)
    lycees = [p.credentials for p in producteurs.values() if p.credentials.type == "LYCEE"]
    rentree = Calendrier().rentree(2026)
    tires = []
    for _ in range(n):
        cred = rng.choice(lycees)
        fields, _ = inscription(rng, cred.identifiant, rentree, rentree.replace(month=11))
        tires.append((producteurs[cred.partner_id], ("eleve_inscrit", fields)))
    return tires


def appels_inscriptions(settings: Settings, n: int, seed: int = 42, producteurs: dict | None = None) -> Appels:
    """n enrolments from the demo lycées, by lycée."""
    return _grouper(_inscriptions(settings, n, seed, producteurs))


def appels_cohorte(settings: Settings, jeunes: int, seed: int = 42, producteurs: dict | None = None) -> Appels:
    """Every fact of ``jeunes`` young people's parcours from the rentrée 2025 to the end of
    June 2026, as the simulator tells them, each with the producer of the partner that tells it."""
    rng = random.Random(seed)
    producteurs = producteurs or _producteurs(settings)
    creds = [p.credentials for p in producteurs.values()]
    lycees = [c for c in creds if c.type == "LYCEE"]
    mls = [c for c in creds if c.type == "MISSION_LOCALE"]
    foquales = {c.identifiant: c for c in creds if c.type == "FOQUALE"}
    from ambition_projections.territoires import territoire

    rentree, horizon = Calendrier().rentree(2025), date(2026, 6, 30)
    tires = []
    for _ in range(jeunes):
        k = rng.randrange(len(lycees))
        h = histoire(rng, lycees[k], mls[k % len(mls)], foquales.get(territoire(lycees[k].identifiant)),
                     rentree, horizon, lambda ine: ine)
        tires += [(producteurs[f.partner_id], (f.methode, f.champs)) for f in h.faits]
    return _grouper(tires)


def construire(appels: Appels, atelier: Atelier | None = None) -> Lot:
    """Each producer's calls built in this process, or all of them spread over ``atelier``."""
    started, cpu = time.perf_counter(), time.process_time()
    if atelier is None:
        lots = [p.build_many(calls) for p, calls in appels]
    else:
        lots = atelier.construire_plusieurs(appels)
    messages = [(key, value, headers) for lot in lots for value, headers, key in lot]
    return Lot(messages, time.perf_counter() - started, time.process_time() - cpu)


def enrolments(settings: Settings, n: int, seed: int = 42) -> Lot:
    """n enrolments from the demo lycées built and signed by the SDK in this process (the
    identity sealed, Avro, Ed25519), in the order they were drawn (the lycées interleaved, as
    a rentrée upload reaches the platform); the fields are drawn before the clock starts."""
    tires = _inscriptions(settings, n, seed, None)
    lot = construire(_grouper(tires))
    suites: dict = {}
    k = 0
    for producteur, calls in _grouper(tires):  # the built messages, back in the order drawn
        suites[producteur] = iter(lot.messages[k:k + len(calls)])
        k += len(calls)
    return Lot([next(suites[producteur]) for producteur, _ in tires], lot.seconds, lot.cpu)


@dataclass(frozen=True)
class Sdk:
    processus: int
    demarrage: float  # seconds to start the worker processes
    inscriptions: float  # messages/s, enrolments only, this process
    inscriptions_cpu: float  # same, per second of this process's CPU
    inscriptions_atelier: float  # same, worker processes
    cohorte: float  # messages/s, a cohort's mix, this process
    cohorte_cpu: float
    cohorte_atelier: float
    cohorte_messages: int
    cohorte_inscriptions: int  # enrolments among them

    def lignes(self) -> list[str]:
        part = self.cohorte_inscriptions / self.cohorte_messages
        return [f"  SDK, enrolments only (2 seals + 1 signature each)    one process {self.inscriptions:>7,.0f}/s "
                f"({self.inscriptions_cpu:>6,.0f} per CPU-second)   {self.processus} processes "
                f"{self.inscriptions_atelier:>7,.0f}/s",
                f"  SDK, a cohort's mix ({self.cohorte_messages} facts, {part:.0%} enrolments) one process "
                f"{self.cohorte:>7,.0f}/s ({self.cohorte_cpu:>6,.0f} per CPU-second)   {self.processus} processes "
                f"{self.cohorte_atelier:>7,.0f}/s",
                f"  (the {self.processus} building processes started in {self.demarrage:.1f} s, before the clock)"]


def mesurer(settings: Settings, n: int, rounds: int, processus: int | None = None) -> Sdk:
    """The SDK's speed on both mixes, medians of ``rounds``, in this process and with workers.
    Every round draws new young people: a producer keeps each élève's sealed subject for its
    next messages, so the same élèves again would not be sealed again."""
    producteurs = _producteurs(settings)
    tirages = iter(range(1, 10_000))

    def inscriptions() -> Appels:
        return appels_inscriptions(settings, n, seed=next(tirages), producteurs=producteurs)

    def cohorte() -> Appels:
        return appels_cohorte(settings, max(1, n // 12), seed=next(tirages), producteurs=producteurs)

    started = time.perf_counter()
    atelier = Atelier(settings, processus)
    demarrage = time.perf_counter() - started
    try:
        construire(cohorte(), atelier)  # each worker makes its copies of the producers once
        construire(cohorte(), atelier)

        def medians(appels, a=None) -> tuple[float, float]:
            lots = [construire(appels(), a) for _ in range(rounds)]
            return (statistics.median(x.per_second for x in lots),
                    statistics.median(x.per_cpu_second for x in lots))

        r = [*medians(inscriptions), medians(inscriptions, atelier)[0],
             *medians(cohorte), medians(cohorte, atelier)[0]]
    finally:
        atelier.close()
    un = cohorte()
    messages = sum(len(calls) for _, calls in un)
    enrol = sum(m == "eleve_inscrit" for _, calls in un for m, _ in calls)
    return Sdk(atelier.processus, demarrage, *r, messages, enrol)
