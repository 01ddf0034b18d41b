"""The receipts topic: each receipt, keyed by its partner's id, once it is written.

The ingestion publishes the receipts not yet published after each batch and on each sweep,
then marks them. At least once: a crash between the send and the mark publishes a receipt
again, with the same ``position`` (readers deduplicate on it). The topic is keyed per partner;
Kafka cannot restrict a reader to one key, so on a shared cluster a partner reads its receipts
from the API (``GET /v1/partenaires/moi/accuses``), or from a per-partner ACL'd copy.
"""
from __future__ import annotations

import json
import logging

from . import registre

log = logging.getLogger(__name__)


def valeur(accuse: registre.Accuse) -> bytes:
    return json.dumps(accuse.document(), ensure_ascii=False).encode()


async def publier(topic, engine, off_loop) -> int:
    """Send the unpublished receipts to ``topic`` (a Faust topic); returns how many were
    acknowledged and marked. ``off_loop`` runs the blocking store calls in an executor."""
    accuses = await off_loop(registre.a_publier, engine)
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
