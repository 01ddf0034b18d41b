"""Reading a batch's messages: bounds, framing, Ed25519, Avro, the sealed identity opened.

It is the CPU-bound half of the ingestion (two HPKE openings and one signature check a
message). ``Lecteur`` reads in this process; ``LecteurParallele`` spreads a batch over worker
processes so that the reading uses every core while the event loop and the store wait for I/O
(``AMBITION_INGEST_READERS``). Both return, for each message in order, its ``MessageLu`` or the
``Rejet`` that refused it, and both follow the partners file when it changes.
"""
from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.contracts.inbound import MessageLu, Rejet, lire
from ambition.contracts.partners import PartnerDirectory

log = logging.getLogger(__name__)
# (partner type of the topic, value, headers) of one message
Brut = tuple[str, "bytes | None", "list[tuple[str, bytes]]"]
# below this many messages a batch is read here: a round trip to the workers would cost more
SEUIL_PARALLELE = 16


def _mtime(settings: Settings) -> float | None:
    try:
        return settings.partners_file.stat().st_mtime
    except OSError:
        return None


class Lecteur:
    def __init__(self, settings: Settings, registry: Registry, partners: PartnerDirectory):
        self.settings, self.registry, self.partners = settings, registry, partners
        self.mtime = _mtime(settings)

    def recharger(self) -> bool:
        """A partner registered after start is known from the next batch on (retries need it)."""
        mtime = _mtime(self.settings)
        if mtime == self.mtime:
            return False
        self.partners, self.mtime = PartnerDirectory.load(self.settings), mtime
        return True

    def morceaux(self, n: int) -> int:
        """In how many parts a batch of n messages is decided (1: read, then decided whole)."""
        return 1

    def plus_tard(self, bruts: list[Brut]):
        """Start reading ``bruts`` and return a function giving the result (read here, when it
        is called)."""
        return lambda: self.lire(bruts)

    def lire(self, bruts: list[Brut]) -> list[MessageLu | Rejet]:
        resultats: list[MessageLu | Rejet] = []
        for partner_type, value, headers in bruts:
            try:
                resultats.append(lire(partner_type, value, headers, self.registry, self.partners))
            except Rejet as r:
                resultats.append(r)
        return resultats

    def close(self) -> None:
        pass


_lecteur: Lecteur | None = None  # in each worker process


def _demarrer(settings: Settings, parent: int) -> None:
    global _lecteur
    _lecteur = Lecteur(settings, Registry.load(settings.schemas_dir), PartnerDirectory.load(settings))
    threading.Thread(target=_suivre_le_parent, args=(parent,), daemon=True).start()


def _suivre_le_parent(parent: int) -> None:
    """A worker holds both ends of its task queue, so it would wait forever for an ingestion
    that was killed (SIGKILL, out of memory): it leaves once it is no longer its parent's child."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(0)


def _lire(bruts: list[Brut]) -> list[MessageLu | Rejet]:
    assert _lecteur is not None
    _lecteur.recharger()
    return _lecteur.lire(bruts)


class LecteurParallele(Lecteur):
    """``processus`` worker processes, started (spawned: the ingestion runs threads) at once so
    that the first batch does not wait for them."""

    def __init__(self, settings: Settings, registry: Registry, partners: PartnerDirectory,
                 processus: int):
        super().__init__(settings, registry, partners)
        self.processus = processus
        self.pool = self._demarrer()

    def _demarrer(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self.processus, mp_context=multiprocessing.get_context("spawn"),
                                   initializer=_demarrer, initargs=(self.settings, os.getpid()))
        for f in [pool.submit(_lire, []) for _ in range(self.processus)]:
            f.result()
        return pool

    def morceaux(self, n: int) -> int:
        """A large batch is decided in parts, two per reading process: while one part is decided
        and stored, the processes read the next ones, so that both halves of the work overlap."""
        return max(1, min(2 * self.processus, n // SEUIL_PARALLELE))

    def plus_tard(self, bruts: list[Brut]):
        if len(bruts) < SEUIL_PARALLELE:
            return super().plus_tard(bruts)
        pool = self.pool
        try:
            future = pool.submit(_lire, bruts)
        except BrokenProcessPool:
            future = None

        def resultat() -> list[MessageLu | Rejet]:
            try:
                if future is not None:
                    return future.result()
            except BrokenProcessPool:
                pass
            if self.pool is pool:  # the first part to find its worker dead replaces them
                self._remplacer()
            return Lecteur.lire(self, bruts)  # read here
        return resultat

    def _remplacer(self) -> None:
        """A worker died (killed, out of memory): start new ones."""
        log.error("a reading process died; starting new ones")
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.pool = self._demarrer()

    def lire(self, bruts: list[Brut]) -> list[MessageLu | Rejet]:
        if len(bruts) < SEUIL_PARALLELE:
            return super().lire(bruts)
        taille = -(-len(bruts) // self.processus)
        parts = [bruts[k:k + taille] for k in range(0, len(bruts), taille)]
        try:
            return [lu for part in self.pool.map(_lire, parts) for lu in part]
        except BrokenProcessPool:
            self._remplacer()
            return super().lire(bruts)

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)


def lecteur(settings: Settings, registry: Registry, partners: PartnerDirectory) -> Lecteur:
    n = settings.ingest_readers
    return LecteurParallele(settings, registry, partners, n) if n > 0 else Lecteur(settings, registry, partners)
