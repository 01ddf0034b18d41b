"""The identity store's cipher: one data key per élève, kept apart from its ciphertext.

Each élève gets a fresh AES-256 data key, wrapped (AES-GCM under the master key
``AMBITION_CIPHER_KEY``, the ``eventsourcing`` library's ``AESCipher``) and kept in the key
store (``ambition.identite.cles``). The event store keeps only the identity record: a format
byte, then the identity (UTF-8 JSON: INE, nom, prénom, date de naissance, disability support)
encrypted with AES-256-GCM under the data key (12-byte nonce, then ciphertext and tag; the
parcours id is the associated data, so a record cannot be passed off as another élève's).

Write order: the keys of a batch are committed to the key store before the events'
transaction. A key whose transaction then fails stays, encrypting nothing readable (at most a
rolled-back row PostgreSQL has not reclaimed yet); the élève's erasure destroys it too.
Erasure destroys the key: every copy of the record, in the event store, its backups and its
replicas, is unreadable from then on, even with the master key (crypto-shredding).

Records written before the key store existed (development data: the wrapped key in the
record, after its 2-byte length) are still read; erasing the élève deletes them.
"""
from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping
from datetime import date
from typing import Any, Protocol
from uuid import UUID

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.cryptography import AESCipher
from eventsourcing.utils import Environment

from ambition.identite.cles import Trousseau

CHAMPS_IDENTITE = ("ine", "nom", "prenom", "date_naissance", "accompagnement_handicap")
FORMAT = b"\x01"  # a record whose data key is in the key store (the older ones begin with 0)


class StockIdentites(Protocol):
    """What the application recorder offers besides events (``stockage`` implements it)."""

    def lire_identite(self, parcours_id: UUID) -> bytes | None: ...

    def oublier_identite(self, parcours_id: UUID) -> None: ...


class Coffre:
    """Encrypts identities under per-élève data keys kept in ``trousseau``, wrapped by the
    master key."""

    def __init__(self, cle_base64: str, trousseau: Trousseau) -> None:
        self._maitre = AESCipher(Environment("identites", {"CIPHER_KEY": cle_base64}))
        self.trousseau = trousseau

    def chiffrer(self, payloads: Mapping[UUID, Mapping[str, Any]]) -> dict[UUID, bytes]:
        """The records of these élèves' identities, their keys committed to the key store
        first (an élève that has a key already keeps it)."""
        cles = {pid: AESGCM.generate_key(bit_length=256) for pid in payloads}
        nouvelles = {pid: self._maitre.encrypt(cle) for pid, cle in cles.items()}
        enveloppes = self.trousseau.deposer(nouvelles)
        # the key drawn here when the store kept it (a new élève), else the one it has
        return {pid: FORMAT + self._sceller(cles[pid] if enveloppes[pid] == nouvelles[pid]
                                            else self._maitre.decrypt(enveloppes[pid]), pid, payload)
                for pid, payload in payloads.items()}

    def dechiffrer(self, parcours_id: UUID, donnees: bytes) -> dict[str, Any] | None:
        """The identity, or None when the élève's key was destroyed (erasure)."""
        if donnees[:1] == FORMAT:
            enveloppe = self.trousseau.lire(parcours_id)
            if enveloppe is None:
                return None
            identite = self._ouvrir(self._maitre.decrypt(enveloppe), parcours_id, donnees[1:])
        else:  # older record: its wrapped key inside, no associated data
            (n,) = struct.unpack(">H", donnees[:2])
            corps = donnees[2 + n:]
            identite = json.loads(AESGCM(self._maitre.decrypt(donnees[2:2 + n])).decrypt(
                corps[:12], corps[12:], None))
        if identite.get("date_naissance"):
            identite["date_naissance"] = date.fromisoformat(identite["date_naissance"])
        return identite

    def oublier(self, parcours_id: UUID) -> None:
        """Destroy the élève's data key: every copy of its record becomes unreadable."""
        self.trousseau.detruire(parcours_id)

    def reenvelopper(self, ancienne_cle_base64: str) -> int:
        """Master-key rotation: every data key of the key store, opened with the previous
        master key, is wrapped again with this one; the records in the event store do not
        change. Nothing changes if one key does not open (a wrong or already-rotated key)."""
        ancien = AESCipher(Environment("identites", {"CIPHER_KEY": ancienne_cle_base64}))
        return self.trousseau.reenvelopper(lambda e: self._maitre.encrypt(ancien.decrypt(e)))

    def close(self) -> None:
        self.trousseau.close()

    @staticmethod
    def _sceller(cle: bytes, parcours_id: UUID, payload: Mapping[str, Any]) -> bytes:
        identite = {c: payload.get(c) for c in CHAMPS_IDENTITE}
        if isinstance(identite["date_naissance"], date):
            identite["date_naissance"] = identite["date_naissance"].isoformat()
        nonce = os.urandom(12)
        clair = json.dumps(identite, sort_keys=True).encode()
        return nonce + AESGCM(cle).encrypt(nonce, clair, parcours_id.bytes)

    @staticmethod
    def _ouvrir(cle: bytes, parcours_id: UUID, donnees: bytes) -> dict[str, Any]:
        return json.loads(AESGCM(cle).decrypt(donnees[:12], donnees[12:], parcours_id.bytes))
