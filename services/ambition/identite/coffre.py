"""The identity store's cipher: one data key per élève, wrapped by the master key.

An identity record is ``len(wrapped key)`` (2 bytes, big-endian) + the élève's data key
wrapped (AES-GCM under the master key ``AMBITION_CIPHER_KEY``, the ``eventsourcing`` library's
``AESCipher``) + the identity (UTF-8 JSON: INE, nom, prénom, date de naissance, disability
support) encrypted with AES-256-GCM under that data key. Erasure destroys the record, so the
data key with it: what any copy or backup of the encrypted identity still holds is unreadable
(crypto-shredding); the pseudonymous history stays.
"""
from __future__ import annotations

import json
import os
import struct
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

CHAMPS_IDENTITE = ("ine", "nom", "prenom", "date_naissance", "accompagnement_handicap")


class StockIdentites(Protocol):
    """What the application recorder offers besides events (``stockage`` implements it)."""

    def lire_identite(self, parcours_id: UUID) -> bytes | None: ...

    def oublier_identite(self, parcours_id: UUID) -> None: ...


class Coffre:
    """Encrypts an identity under a fresh data key, wrapped by the master key."""

    def __init__(self, cle_base64: str) -> None:
        self._maitre = AESCipher(Environment("identites", {"CIPHER_KEY": cle_base64}))

    def chiffrer(self, payload: dict[str, Any]) -> bytes:
        identite = {c: payload.get(c) for c in CHAMPS_IDENTITE}
        if isinstance(identite["date_naissance"], date):
            identite["date_naissance"] = identite["date_naissance"].isoformat()
        cle = AESGCM.generate_key(bit_length=256)
        nonce = os.urandom(12)
        donnees = nonce + AESGCM(cle).encrypt(nonce, json.dumps(identite, sort_keys=True).encode(), None)
        enveloppe = self._maitre.encrypt(cle)
        return struct.pack(">H", len(enveloppe)) + enveloppe + donnees

    def dechiffrer(self, donnees: bytes) -> dict[str, Any]:
        (n,) = struct.unpack(">H", donnees[:2])
        cle = self._maitre.decrypt(donnees[2:2 + n])
        corps = donnees[2 + n:]
        identite = json.loads(AESGCM(cle).decrypt(corps[:12], corps[12:], None))
        if identite.get("date_naissance"):
            identite["date_naissance"] = date.fromisoformat(identite["date_naissance"])
        return identite
