"""Registered partners and their Ed25519 public keys (settings.partners_file, JSON).

The file is a JSON list of ``{"id", "type", "identifiant", "public_key"}`` (raw Ed25519 key,
base64). Private keys never go into it: ``add_partner`` returns the private key once.
``demo_partners`` keeps dev-only private keys under ``settings.var_dir / "keys"`` so local runs and
tests can sign; production partners keep their own keys.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Iterator

from ambition.config import Settings
from ambition.fichiers import ecrire_secret
from ambition.identite.scellement import Ouvreur

from . import signing
from .identifiants import PARTNER_TYPES, cle_uai, identifiant_valide, partner_id

_IDENTIFIANT_AIDE = {"LYCEE": "a UAI: 7 digits + key letter, e.g. 0753268V",
                     "MISSION_LOCALE": "a SIRET: 14 digits passing the Luhn check",
                     "FOQUALE": "a code of lower-case letters, digits and dashes, e.g. ac-paris"}


class PartnerError(ValueError):
    """Bad partner type or identifier, or a partner registered twice."""


@dataclass(frozen=True)
class Partner:
    id: str
    type: str
    identifiant: str
    public_key: str


@dataclass(frozen=True)
class Credentials:
    """What a partner's SDK needs to sign: its id, type, identifier and private key."""

    partner_id: str
    type: str
    identifiant: str
    private_key: str  # base64 raw Ed25519 private key

    def __repr__(self) -> str:  # never print the key by accident
        return f"Credentials({self.partner_id!r}, {self.type!r})"


class PartnerDirectory:
    """Who may send. Also carries what ``lire`` needs to read the élève addressed, which never
    leaves the platform: the private keys opening sealed identities (``ouvreur``) and the
    pseudonym secret turning an INE into its parcours key."""

    def __init__(self, partners: Iterable[Partner] = (), pseudonym_secret: str = "",
                 ouvreur: Ouvreur | None = None):
        self._partners = {p.id: p for p in partners}
        self.pseudonym_secret = pseudonym_secret
        self.ouvreur = ouvreur or Ouvreur([])

    @classmethod
    def load(cls, settings: Settings) -> "PartnerDirectory":
        return cls(_read(settings.partners_file), settings.pseudonym_secret,
                   Ouvreur.depuis(settings.identity_private_keys))

    def get(self, partner_id: str) -> Partner | None:
        return self._partners.get(partner_id)

    def __iter__(self) -> Iterator[Partner]:
        return iter(sorted(self._partners.values(), key=lambda p: p.id))

    def __len__(self) -> int:
        return len(self._partners)


def _read(path: Path) -> list[Partner]:
    if not path.exists():
        return []
    return [Partner(**entry) for entry in json.loads(path.read_text())]


def _write(path: Path, partners: Iterable[Partner]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps([asdict(p) for p in sorted(partners, key=lambda p: p.id)], indent=2) + "\n")
    os.replace(tmp, path)


def check_identifiant(partner_type: str, identifiant: str) -> str:
    if partner_type not in PARTNER_TYPES:
        raise PartnerError(f"partner type {partner_type!r}: expected one of {', '.join(PARTNER_TYPES)}")
    if not identifiant_valide(partner_type, identifiant):
        raise PartnerError(f"{identifiant!r} is not a valid {partner_type} identifier: "
                           f"expected {_IDENTIFIANT_AIDE[partner_type]}")
    return partner_id(partner_type, identifiant)


def add_partner(settings: Settings, partner_type: str, identifiant: str) -> tuple[str, str]:
    """Register a partner; returns (partner_id, private_key_b64). The private key is not kept:
    give it to the partner now. A partner already registered is refused (PartnerError)."""
    pid = check_identifiant(partner_type, identifiant)
    partners = {p.id: p for p in _read(settings.partners_file)}
    if pid in partners:
        raise PartnerError(f"{pid} is already registered; its key cannot be shown again")
    private, public = signing.new_key_pair()
    partners[pid] = Partner(pid, partner_type, identifiant, public)
    _write(settings.partners_file, partners.values())
    return pid, private


def _uai(numero: str) -> str:
    return numero + cle_uai(numero)


# A fixed demo set: lycées of several académies, missions locales, Foquale/MLDS networks.
DEMO = (
    [("LYCEE", _uai(n)) for n in (
        "0753268", "0010001", "0750650", "0690026", "0130010", "0310024",
        "0330021", "0590110", "0670005", "0440021", "0340039", "9740001")]
    + [("MISSION_LOCALE", s) for s in ("13002526500013", "34225437400024", "41791854200016",
                                       "50316385700017")]
    + [("FOQUALE", c) for c in ("ac-paris", "ac-lyon")]
)


def demo_partners(settings: Settings) -> list[Credentials]:
    """Create (once) and return the demo partners' credentials. DEV ONLY: the private keys are
    stored in clear under var/keys/<partner_id>.key so local runs and tests can sign; refused
    in production."""
    if settings.production:
        raise PartnerError("demo partners are for development only (AMBITION_ENV=production)")
    keys_dir = settings.var_dir / "keys"
    keys_dir.mkdir(parents=True, exist_ok=True)
    partners = {p.id: p for p in _read(settings.partners_file)}
    creds, changed = [], False
    for ptype, ident in DEMO:
        pid = check_identifiant(ptype, ident)
        key_file = keys_dir / f"{pid.replace(':', '_')}.key"
        if key_file.exists():
            private = key_file.read_text().strip()
        else:
            private, _ = signing.new_key_pair()
            ecrire_secret(key_file, private + "\n")
            private = key_file.read_text().strip()  # another process may have written it first
        public = signing.public_key_of(private)
        if partners.get(pid) != Partner(pid, ptype, ident, public):
            partners[pid] = Partner(pid, ptype, ident, public)
            changed = True
        creds.append(Credentials(pid, ptype, ident, private))
    if changed:
        _write(settings.partners_file, partners.values())
    return creds
