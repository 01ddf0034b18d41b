"""Personal data of the élève, kept apart from the event history and encrypted at rest.

INE, nom, prénom, date de naissance and accompagnement_handicap (health data) never enter an
aggregate event. At enrolment they are encrypted (AES-GCM, the eventsourcing library's
``AESCipher`` on the ``cryptography`` package) and written to an ``identites`` table keyed
by parcours id, *in the same transaction* as the events (see ``stockage``). ``oublier``
deletes that row: the history stays whole and replayable, only the person is forgotten.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

CHAMPS_IDENTITE = ("ine", "nom", "prenom", "date_naissance", "accompagnement_handicap")


class StockIdentites(Protocol):
    """What the application recorder offers besides events (``stockage`` implements it)."""

    def lire_identite(self, parcours_id: UUID) -> bytes | None: ...

    def oublier_identite(self, parcours_id: UUID) -> None: ...


class Coffre:
    """Encrypts and decrypts an identity record."""

    def __init__(self, cle_base64: str) -> None:
        self._cipher = AESCipher(Environment("identites", {"CIPHER_KEY": cle_base64}))

    def chiffrer(self, payload: dict[str, Any]) -> bytes:
        identite = {c: payload.get(c) for c in CHAMPS_IDENTITE}
        if isinstance(identite["date_naissance"], date):
            identite["date_naissance"] = identite["date_naissance"].isoformat()
        return self._cipher.encrypt(json.dumps(identite, sort_keys=True).encode())

    def dechiffrer(self, donnees: bytes) -> dict[str, Any]:
        identite = json.loads(self._cipher.decrypt(donnees))
        if identite.get("date_naissance"):
            identite["date_naissance"] = date.fromisoformat(identite["date_naissance"])
        return identite
