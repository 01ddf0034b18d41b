"""The receipts topic: each receipt, keyed by its partner's id, once it is written.

The ingestion publishes the receipts not yet published after each batch and on each sweep,
then marks them. At least once: a crash between the send and the mark publishes a receipt
again, with the same ``position`` (readers deduplicate on it). The topic is keyed per partner;
Kafka cannot restrict a reader to one key, so on a shared cluster a partner reads its receipts
from the API (``GET /v1/partenaires/moi/accuses``), or from a per-partner ACL'd copy.
"""
from __future__ import annotations

import asyncio
import json
import logging

from . import registre

log = logging.getLogger(__name__)


def valeur(accuse: registre.Accuse) -> bytes:
    return json.dumps(accuse.document(), ensure_ascii=False).encode()


async def publier(topic, engine, off_loop, limite: int = 1000) -> int:
    """Send the unpublished receipts to ``topic`` (a Faust topic); returns how many were
    acknowledged and marked. ``off_loop`` runs the blocking store calls in an executor."""
    accuses = await off_loop(registre.a_publier, engine, limite)
    if not accuses:
        return 0
    futures, envoyes = [], []
    try:
        for a in accuses:
            futures.append((a, await topic.send(key=a.partenaire.encode(), value=valeur(a))))
    except Exception:
        log.exception("the receipts topic did not take a receipt; it is sent again later")
    for a, fut in futures:
        try:
            await fut
            envoyes.append(a.position)
        except Exception:
            log.exception("the receipts topic did not acknowledge a receipt; it is sent again later")
    if envoyes:
        await off_loop(registre.marquer_publies, engine, envoyes)
    return len(envoyes)


class Publieur:
    """Publishes the receipts beside the ingestion rather than between its batches: after a
    batch the agent calls ``signaler``, which wakes one task that publishes what is not yet
    published while the next batch is read and decided (the broker's acknowledgements are
    awaited there, not by the batches). The sweep calls ``publier`` itself. One publication
    at a time, so two never send the same receipts. ``engine_de()`` gives the receipts'
    store (opened lazily by the ingestion)."""

    def __init__(self, topic, engine_de, off_loop, limite: int = 1000):
        self.topic, self.engine_de, self.off_loop, self.limite = topic, engine_de, off_loop, limite
        self._verrou: asyncio.Lock | None = None
        self._reveil: asyncio.Event | None = None
        self._tache: asyncio.Task | None = None

    async def publier(self) -> int:
        if self._verrou is None:
            self._verrou = asyncio.Lock()
        async with self._verrou:
            return await publier(self.topic, self.engine_de(), self.off_loop, self.limite)

    def signaler(self) -> None:
        """Receipts were written: publish them soon (returns at once)."""
        if self._reveil is None:
            self._reveil = asyncio.Event()
        self._reveil.set()
        if self._tache is None or self._tache.done():
            self._tache = asyncio.ensure_future(self._boucle())

    async def _boucle(self) -> None:
        assert self._reveil is not None
        while True:
            await self._reveil.wait()
            self._reveil.clear()
            try:
                if await self.publier() >= self.limite:  # a full page: more are waiting
                    self._reveil.set()
            except Exception:  # the next signal or sweep tries again; nothing is lost (the table)
                log.exception("publishing the receipts failed; they are published later")
                await asyncio.sleep(1.0)

    async def arreter(self) -> None:
        if self._tache is not None and not self._tache.done():
            self._tache.cancel()
            try:
                await self._tache
            except asyncio.CancelledError:
                pass
