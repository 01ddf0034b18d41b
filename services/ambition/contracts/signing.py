"""Ed25519 signature of a partner message: who sent it, and that nothing was changed on the way.

The broker cannot authenticate partners (ARCHITECTURE.md), so each message is signed by its
partner's private key. The signed bytes are a canonical concatenation, version 1:

    b"ambition-signature-v1"
    then, for each name of SIGNED_HEADERS in that order: len(name) name len(value) value
    then len(value_bytes) value_bytes

where len(x) is 4 bytes big-endian and a header value is its raw bytes. Length prefixes make
the concatenation unambiguous (no separator can be forged inside a value). Every signed header
must be present exactly once. The signature travels base64 in header ``ambition-signature``.
"""
from __future__ import annotations

import base64
import binascii
import functools
import struct

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption
from nacl.exceptions import BadSignatureError
from nacl.signing import SigningKey, VerifyKey

DOMAIN = b"ambition-signature-v1"
SIGNATURE_HEADER = "ambition-signature"
PARTNER_HEADER = "ambition-partner"
SIGNED_HEADERS = (PARTNER_HEADER, "ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion", "content-type")


class SignatureInvalide(ValueError):
    """Missing, malformed or wrong signature, or missing signed header."""


_LEN = struct.Struct(">I").pack
# each signed header's name, length-prefixed, computed once
_NOMS = tuple((name, _LEN(len(name.encode())) + name.encode()) for name in SIGNED_HEADERS)


def _lp(b: bytes) -> bytes:
    return _LEN(len(b)) + b


def header_values(headers: list[tuple[str, bytes]] | None) -> dict[str, list[bytes]]:
    """Each header's values by name, in order (a message's headers read once, then looked up)."""
    out: dict[str, list[bytes]] = {}
    for name, value in headers or ():
        out.setdefault(name, []).append(value if isinstance(value, bytes) else bytes(value or b""))
    return out


def signed_bytes(value: bytes, headers: list[tuple[str, bytes]],
                 by_name: dict[str, list[bytes]] | None = None) -> bytes:
    """The bytes signed; ``by_name``: the headers already read by ``header_values``."""
    if by_name is None:
        by_name = header_values(headers)
    parts = [DOMAIN]
    for name, prefixed in _NOMS:
        values = by_name.get(name, ())
        if len(values) != 1:
            raise SignatureInvalide(f"header {name} must be present exactly once (found {len(values)})")
        parts += [prefixed, _LEN(len(values[0])), values[0]]
    parts += [_LEN(len(value)), value]
    return b"".join(parts)


@functools.lru_cache(maxsize=64)
def _cle_privee(private_key_b64: str) -> SigningKey:
    """The signing key of a base64 private key (the 32-byte RFC 8032 seed), derived once per
    key (about as long as a signature), not once per message. Signing is libsodium's, as
    checking is: Ed25519 signatures are deterministic, so the bytes are those ``cryptography``
    gives for the same key, in about three quarters of its time here (36 against 48 µs)."""
    return SigningKey(base64.b64decode(private_key_b64))


@functools.lru_cache(maxsize=1024)
def _cle_publique(public_key_b64: str) -> VerifyKey:
    """The verifying key of a registered base64 public key, read once per key. Verification
    is libsodium's (PyNaCl), as signing is: about half of OpenSSL's (``cryptography``)
    time a check here (60 against 110 µs), which is the largest
    single cost of reading a message. libsodium is the stricter of the two (it refuses
    non-canonical encodings and small-order keys, which no RFC 8032 signer produces)."""
    return VerifyKey(base64.b64decode(public_key_b64))


def new_key_pair() -> tuple[str, str]:
    """(private_key_b64, public_key_b64), raw 32-byte Ed25519 keys."""
    key = Ed25519PrivateKey.generate()
    priv = key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    pub = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(priv).decode(), base64.b64encode(pub).decode()


def public_key_of(private_key_b64: str) -> str:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)).decode()


def sign(private_key_b64: str, value: bytes, headers: list[tuple[str, bytes]]) -> bytes:
    """The base64 signature (bytes, ready for the ambition-signature header)."""
    return base64.b64encode(_cle_privee(private_key_b64).sign(signed_bytes(value, headers)).signature)


def verify(public_key_b64: str, value: bytes, headers: list[tuple[str, bytes]],
           by_name: dict[str, list[bytes]] | None = None) -> None:
    """Raise SignatureInvalide unless the ambition-signature header signs value + headers.
    ``by_name``: the headers already read by ``header_values`` (read once per message)."""
    if by_name is None:
        by_name = header_values(headers)
    sigs = by_name.get(SIGNATURE_HEADER, ())
    if len(sigs) != 1:
        raise SignatureInvalide(f"header {SIGNATURE_HEADER} must be present exactly once (found {len(sigs)})")
    try:
        signature = base64.b64decode(sigs[0], validate=True)
        key = _cle_publique(public_key_b64)
        key.verify(signed_bytes(value, headers, by_name), signature)
    except (BadSignatureError, binascii.Error, ValueError) as exc:
        if isinstance(exc, SignatureInvalide):
            raise
        raise SignatureInvalide("the signature does not match the partner's registered key "
                                "(forged, altered message or headers, or wrong key)") from None
