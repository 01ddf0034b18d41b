"""Building a large send in worker processes, so that sealing and signing use every core.

Building a message is CPU-bound: an enrolment seals the élève twice to the platform's public
key (the subject and the identity, an X25519 exchange each) and signs once (Ed25519), about
three quarters of its time; the other events seal the subject once. One process builds on
one core only. ``Atelier`` holds ``processus`` worker processes (spawned: a producer runs the
Kafka client's threads, which a fork would copy mid-flight); ``PartnerProducer.build_many``
and ``emit_many`` hand it calls to the producer's own methods, cut in as many parts, and get
back, in order, exactly what those calls would have sent: (value, headers, Kafka key).

Each worker builds with its own copy of the calling producer (same class, credentials and
platform public key) and the schemas of ``settings.schemas_dir``; nothing is sent from a
worker. A call that fails raises in the caller, as ``build`` would (``EvenementInvalide``),
and then nothing of the batch is sent.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import TYPE_CHECKING, Any, NamedTuple

from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.contracts.partners import Credentials

if TYPE_CHECKING:
    from .base import PartnerProducer

# (method name, keyword arguments) of one call to a producer's event method
Appel = tuple[str, dict[str, Any]]
# (value, headers, Kafka key) of one built message, as ``send_many`` takes it
Construit = tuple[bytes, list[tuple[str, bytes]], bytes]
# below this many calls a batch is built in the caller: the round trip would cost more
SEUIL = 64
# parts of a batch per worker: a worker slowed by the machine's other jobs holds up less
PARTS = 4


class Modele(NamedTuple):
    """What a worker needs to make its copy of a producer."""

    classe: type
    credentials: Credentials
    cle_publique: str
    topic: str


def modele(producteur: "PartnerProducer") -> Modele:
    return Modele(type(producteur), producteur.credentials, producteur.cle_publique, producteur.topic)


class _Collecte:
    """Stands for the Kafka producer of a producer that only builds: keeps what it is given."""

    def __init__(self) -> None:
        self.messages: list[Construit] = []

    def send(self, topic: str, value: bytes, key: bytes, headers: list[tuple[str, bytes]]) -> "_Collecte":
        self.messages.append((value, headers, key))
        return self

    def get(self, timeout: float | None = None) -> None:
        return None

    def flush(self, timeout: float | None = None) -> None:
        pass

    def close(self, timeout: float | None = None) -> None:
        pass


def constructeur(m: Modele, registry: Registry, settings: Settings) -> "PartnerProducer":
    """A producer like the one ``m`` describes that sends nothing: its event methods only build."""
    return m.classe(m.credentials, settings=settings, registry=registry, topic=m.topic,
                    identity_public_key=m.cle_publique, producer=_Collecte(), api_token="")


def construire_ici(builder: "PartnerProducer", appels: list[Appel]) -> list[Construit]:
    """The messages of ``appels`` made by a producer from ``constructeur``."""
    collecte: _Collecte = builder._producer
    collecte.messages = []
    try:
        for methode, champs in appels:
            getattr(builder, methode)(**champs)
        return collecte.messages
    finally:
        collecte.messages = []


def repartir(lots: list[list[Appel]], n: int) -> tuple[list[list[tuple[int, str, dict]]], list[list[tuple[int, int]]]]:
    """The calls of several producers (``lots[i]``: producer i's calls) cut in ``n`` parts of
    (producer index, method, arguments), each part in the calls' order, and for each call its
    (part, rank in the part). A producer's calls about one élève (its ``cle`` or ``ine``) go to
    the same part, so that the worker building it seals the élève's subject once
    (``PartnerProducer._adresse``); the others are dealt in turn."""
    parts: list[list[tuple[int, str, dict]]] = [[] for _ in range(n)]
    places: list[list[tuple[int, int]]] = []
    for i, appels in enumerate(lots):
        places.append([])
        for k, (methode, champs) in enumerate(appels):
            eleve = champs.get("cle", champs.get("ine"))
            j = hash((i, eleve)) % n if isinstance(eleve, str) else (i + k) % n
            places[i].append((j, len(parts[j])))
            parts[j].append((i, methode, champs))
    return parts, places


# -- in each worker process -----------------------------------------------------------------

_settings: Settings | None = None
_registry: Registry | None = None
_builders: dict[Modele, "PartnerProducer"] = {}


def _demarrer(settings: Settings) -> None:
    global _settings, _registry
    _settings, _registry = settings, Registry.load(settings.schemas_dir)


def _builder(m: Modele) -> "PartnerProducer":
    assert _settings is not None and _registry is not None
    builder = _builders.get(m)
    if builder is None:
        builder = _builders[m] = constructeur(m, _registry, _settings)
    return builder


def _construire(modeles: list[Modele], appels: list[tuple[int, str, dict]]) -> list[Construit]:
    """The messages of ``appels``: (index of the producer in ``modeles``, method, arguments)."""
    out: list[Construit] = []
    for i, methode, champs in appels:
        out += construire_ici(_builder(modeles[i]), [(methode, champs)])
    return out


class Atelier:
    """``processus`` worker processes building messages (default: one per core), started at once
    so that the first batch does not wait for them. Close it (or use ``with``) when done."""

    def __init__(self, settings: Settings | None = None, processus: int | None = None):
        self.settings = settings or Settings()
        self.processus = processus or os.cpu_count() or 1
        self.pool = ProcessPoolExecutor(self.processus, mp_context=multiprocessing.get_context("spawn"),
                                        initializer=_demarrer, initargs=(self.settings,))
        for f in [self.pool.submit(os.getpid) for _ in range(self.processus)]:
            f.result()

    def construire(self, producteur: "PartnerProducer", appels: list[Appel]) -> list[Construit]:
        """The messages of calls to ``producteur``'s event methods, in order."""
        return self.construire_plusieurs([(producteur, appels)])[0]

    def construire_plusieurs(self, lots: list[tuple["PartnerProducer", list[Appel]]]) -> list[list[Construit]]:
        """The messages of calls to several producers' methods (a lycée's, a mission locale's...),
        spread over the workers as one batch: for each (producer, calls), its messages in order."""
        modeles = [modele(p) for p, _ in lots]
        parts, places = repartir([appels for _, appels in lots], self.processus * PARTS)
        occupees = [j for j, part in enumerate(parts) if part]
        construits = dict(zip(occupees, self.pool.map(_construire, [modeles] * len(occupees),
                                                        [parts[j] for j in occupees])))
        return [[construits[j][r] for j, r in places_du_lot] for places_du_lot in places]

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "Atelier":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
