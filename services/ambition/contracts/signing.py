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
import struct

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PrivateFormat, PublicFormat, NoEncryption

DOMAIN = b"ambition-signature-v1"
SIGNATURE_HEADER = "ambition-signature"
PARTNER_HEADER = "ambition-partner"
SIGNED_HEADERS = (PARTNER_HEADER, "ce_id", "ce_source", "ce_type", "ce_time", "ce_specversion", "content-type")


class SignatureInvalide(ValueError):
    """Missing, malformed or wrong signature, or missing signed header."""


def _lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def header_values(headers: list[tuple[str, bytes]] | None) -> dict[str, list[bytes]]:
    out: dict[str, list[bytes]] = {}
    for name, value in headers or ():
        out.setdefault(name, []).append(value if isinstance(value, bytes) else bytes(value or b""))
    return out


def signed_bytes(value: bytes, headers: list[tuple[str, bytes]]) -> bytes:
    by_name = header_values(headers)
    parts = [DOMAIN]
    for name in SIGNED_HEADERS:
        values = by_name.get(name, [])
        if len(values) != 1:
            raise SignatureInvalide(f"header {name} must be present exactly once (found {len(values)})")
        parts += [_lp(name.encode()), _lp(values[0])]
    parts.append(_lp(value))
    return b"".join(parts)


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
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    return base64.b64encode(key.sign(signed_bytes(value, headers)))


def verify(public_key_b64: str, value: bytes, headers: list[tuple[str, bytes]]) -> None:
    """Raise SignatureInvalide unless the ambition-signature header signs value + headers."""
    sigs = header_values(headers).get(SIGNATURE_HEADER, [])
    if len(sigs) != 1:
        raise SignatureInvalide(f"header {SIGNATURE_HEADER} must be present exactly once (found {len(sigs)})")
    try:
        signature = base64.b64decode(sigs[0], validate=True)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
        key.verify(signature, signed_bytes(value, headers))
    except (InvalidSignature, binascii.Error, ValueError) as exc:
        if isinstance(exc, SignatureInvalide):
            raise
        raise SignatureInvalide("the signature does not match the partner's registered key "
                                "(forged, altered message or headers, or wrong key)") from None
