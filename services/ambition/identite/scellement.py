"""Identity sealed to the platform's public key: what travels instead of the INE and names.

HPKE (RFC 9180), base mode, one shot: KEM DHKEM(X25519, HKDF-SHA256) (0x0020), KDF HKDF-SHA256
(0x0001), AEAD AES-128-GCM (0x0001), through the ``cryptography`` package's ``hpke`` module.
A sealed value is ``enc`` (32 bytes) followed by the ciphertext (plaintext + 16-byte tag).
``info`` is ``b"ambition-identite-v1|" + partner id`` (e.g. ``...|lycee:0753268V``): a value
sealed by one partner does not open as another's. Keys are raw 32-byte X25519 keys, base64.

Two forms travel (docs/contrats.md, "Sealed identity"):

- the **subject** of any partner event addressing an élève: ``hpke1.<pseudo>.<sealed INE>``,
  where ``<pseudo>`` (32 hex) is the partner's own stable pseudonym of the élève (its Kafka
  key; the platform ignores it) and ``<sealed INE>`` the base64url (no padding) of the INE
  sealed as UTF-8;
- the ``identite`` field of an enrolment: the sealed UTF-8 JSON object
  ``{"ine", "nom", "prenom", "date_naissance" (YYYY-MM-DD), "accompagnement_handicap"}``.

The platform's private keys are configuration (``AMBITION_IDENTITY_PRIVATE_KEYS``, comma
separated): the first is the current one, whose public key partners seal to; the others are
still accepted during a rotation.
"""
from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import re

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

SUITE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.AES_128_GCM)
INFO = b"ambition-identite-v1|"
PREFIXE = "hpke1"
_SUJET = re.compile(r"hpke1\.([0-9a-f]{32})\.([A-Za-z0-9_-]{40,400})")

#: The published TEST key pair (docs/contrats.md): the development default, refused in production.
CLE_DE_TEST = "RS8dRmkjrypMxrs7TyUNnQ4PsiJQi7H+Oe8EOIbrpFM="
CLE_PUBLIQUE_DE_TEST = "2r8eWaL0NiUv1WTRGpHNz5mzMtwqnbUzPQb0cuJqxTA="


class Illisible(ValueError):
    """Not a sealed value, or sealed to no key the platform holds, or for another partner."""


def info(partner_id: str) -> bytes:
    return INFO + partner_id.encode()


def publique(private_b64: str) -> str:
    """The base64 public key of a base64 private key."""
    key = x25519.X25519PrivateKey.from_private_bytes(base64.b64decode(private_b64))
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


@functools.lru_cache(maxsize=16)
def _cle_publique(public_b64: str) -> x25519.X25519PublicKey:
    """The platform's public key object, read once (a partner seals every message to it)."""
    return x25519.X25519PublicKey.from_public_bytes(base64.b64decode(public_b64))


def sceller(public_b64: str, clair: bytes, partner_id: str) -> bytes:
    return SUITE.encrypt(clair, _cle_publique(public_b64), info=info(partner_id))


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def de_b64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sujet(public_b64: str, ine: str, partner_id: str, pseudo: str) -> str:
    """The subject addressing the élève ``ine`` (``pseudo``: the partner's 32-hex pseudonym)."""
    return f"{PREFIXE}.{pseudo}.{b64url(sceller(public_b64, ine.encode(), partner_id))}"


def pseudonyme(secret_partenaire: bytes, ine: str) -> str:
    """A partner's own stable pseudonym of an élève (its Kafka key): HMAC-SHA256 of the INE
    under a key only that partner holds, 32 hex. Not linkable across partners."""
    return hmac.new(secret_partenaire, ine.strip().upper().encode(), hashlib.sha256).hexdigest()[:32]


def est_scelle(subject: str) -> bool:
    return isinstance(subject, str) and bool(_SUJET.fullmatch(subject))


class Ouvreur:
    """The platform side: opens sealed values with its private keys (current first)."""

    def __init__(self, private_keys_b64: list[str]):
        self._keys = [x25519.X25519PrivateKey.from_private_bytes(base64.b64decode(k))
                      for k in private_keys_b64]

    @classmethod
    def depuis(cls, liste: str) -> "Ouvreur":
        return cls([k.strip() for k in liste.split(",") if k.strip()])

    def ouvrir(self, scelle: bytes, partner_id: str) -> bytes:
        for key in self._keys:
            try:
                return SUITE.decrypt(scelle, key, info=info(partner_id))
            except (InvalidTag, ValueError):
                continue
        raise Illisible("not sealed to the platform's public key for this partner "
                        "(wrong key, another partner's value, or altered)")

    def ine_du_sujet(self, subject: str, partner_id: str) -> str:
        m = _SUJET.fullmatch(subject or "")
        if not m:
            raise Illisible("subject is not hpke1.<32 hex>.<base64url sealed INE>")
        try:
            return self.ouvrir(de_b64url(m.group(2)), partner_id).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise Illisible("the sealed INE is not base64url of UTF-8") from None
