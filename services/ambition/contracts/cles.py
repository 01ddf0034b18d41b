"""A partner's signing keys: registered, rotated (two keys during a change-over), revoked.

A partner entry of the partners file may carry ``cles``: a list of
``{"id", "public_key", "ajoutee", "fin", "revoquee"}`` (dates-times ISO 8601 UTC; ``fin``: the
end of a key being replaced, ``revoquee``: when it was revoked). Without it, ``public_key`` is the
partner's one key. A message is checked against the partner's keys in force (not revoked, end not
passed); one that only a revoked key signs is refused ``CLE_REVOQUEE``, only an ended key
``CLE_EXPIREE``, no key ``SIGNATURE_INVALIDE``. Every change is appended to the journal
(``AMBITION_PARTNERS_JOURNAL``): who, what, when; never a private key.
"""
from __future__ import annotations

import base64
import functools
import getpass
import hashlib
import json
from datetime import datetime, timezone
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat, load_pem_public_key

from . import signing


class CleRevoquee(signing.SignatureInvalide):
    code = "CLE_REVOQUEE"


class CleExpiree(signing.SignatureInvalide):
    code = "CLE_EXPIREE"


@functools.lru_cache(maxsize=1024)  # read for every message checked
def identifiant(public_key_b64: str) -> str:
    """A key's id: the first 16 hex digits of the SHA-256 of the raw 32-byte public key."""
    return hashlib.sha256(base64.b64decode(public_key_b64)).hexdigest()[:16]


def lire_cle_publique(path: Path) -> str:
    """An Ed25519 public key file: PEM (``-----BEGIN PUBLIC KEY-----``, as ``openssl pkey
    -pubout`` writes it) or the raw 32 bytes in base64 on one line. Returns the raw key, base64."""
    data = path.read_bytes().strip()
    if data.startswith(b"-----BEGIN"):
        key = load_pem_public_key(data)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{path}: not an Ed25519 public key")
        raw = key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    else:
        try:
            raw = base64.b64decode(data, validate=True)
        except ValueError:
            raise ValueError(f"{path}: neither PEM nor base64") from None
        if len(raw) != 32:
            raise ValueError(f"{path}: a raw Ed25519 public key is 32 bytes, this one {len(raw)}")
        Ed25519PublicKey.from_public_bytes(raw)
    return base64.b64encode(raw).decode()


def maintenant() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def nouvelle(public_key: str, fin: str | None = None) -> dict:
    return {"id": identifiant(public_key), "public_key": public_key, "ajoutee": maintenant(),
            "fin": fin, "revoquee": None}


def cles_de(entry) -> list[dict]:
    """A partner's keys, as registered (a partner without ``cles`` has its one ``public_key``)."""
    return list(entry.cles) if entry.cles else [{"id": identifiant(entry.public_key),
                                                 "public_key": entry.public_key, "ajoutee": None,
                                                 "fin": None, "revoquee": None}]


def _passe(moment: str | None, now: datetime) -> bool:
    return moment is not None and datetime.fromisoformat(moment) <= now


def verifier(entry, value: bytes, headers, now: datetime | None = None,
             by_name: dict[str, list[bytes]] | None = None) -> str:
    """Check the signature against the partner's keys; returns the id of the key that signed.
    Raises CleRevoquee, CleExpiree or signing.SignatureInvalide. ``by_name``: the headers
    already read by ``signing.header_values``."""
    now = now or datetime.now(timezone.utc)
    if by_name is None:
        by_name = signing.header_values(headers)
    cles = cles_de(entry)
    en_vigueur = [c for c in cles if not _passe(c["revoquee"], now) and not _passe(c["fin"], now)]
    erreur: signing.SignatureInvalide | None = None
    for c in en_vigueur:
        try:
            signing.verify(c["public_key"], value, headers, by_name)
            return c["id"]
        except signing.SignatureInvalide as exc:
            erreur = exc
    for c in cles:
        if c in en_vigueur:
            continue
        try:
            signing.verify(c["public_key"], value, headers, by_name)
        except signing.SignatureInvalide:
            continue
        if _passe(c["revoquee"], now):
            raise CleRevoquee(f"signed with key {c['id']}, revoked on {c['revoquee']}: sign with "
                              "the partner's key in force")
        raise CleExpiree(f"signed with key {c['id']}, replaced on {c['fin']}: sign with the new key")
    raise erreur or signing.SignatureInvalide("the partner has no key in force")


def journaliser(path: Path, partenaire: str, action: str, **details) -> None:
    """Append one change to the keys journal (JSON lines)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        qui = getpass.getuser()
    except (KeyError, OSError):
        qui = "inconnu"
    with path.open("a", encoding="utf-8") as f:
        f.write(json.dumps({"at": maintenant(), "partenaire": partenaire, "action": action,
                            "operateur": qui, **details}, ensure_ascii=False) + "\n")
