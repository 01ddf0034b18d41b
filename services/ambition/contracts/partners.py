"""Registered partners and their Ed25519 public keys (settings.partners_file, JSON).

The file is a JSON list of ``{"id", "type", "identifiant", "public_key"}`` (raw Ed25519 key,
base64), and ``cles`` once a partner's keys changed (rotation, revocation: see ``cles``).
Private keys never go into it: ``add_partner`` returns the private key once, or registers the
partner's own public key. Every change is recorded in the keys journal.
``demo_partners`` keeps dev-only private keys under ``settings.var_dir / "keys"`` so local runs and
tests can sign; production partners keep their own keys.
"""
from __future__ import annotations

import json
import os
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from ambition.config import Settings
from ambition.fichiers import ecrire_secret
from ambition.identite.scellement import Ouvreur

from . import cles, signing
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
    public_key: str  # the newest key in force
    cles: tuple = ()  # every key with its dates, once the keys changed (``cles.cles_de``)

    def __post_init__(self):
        object.__setattr__(self, "cles", tuple(self.cles))


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
        # the parcours key of each (partner, sealed subject) already opened: a partner may send an
        # élève's subject sealed once for all its messages (the Python SDK does), which then
        # need no HPKE opening; pseudonymous keys only, never an INE (``identite.adresse``)
        self.cles_des_sujets: OrderedDict[tuple[str, str], str] = OrderedDict()
        self.cles_des_sujets_lock = threading.Lock()

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
    champs = {f.name for f in fields(Partner)}
    return [Partner(**{k: v for k, v in entry.items() if k in champs}) for entry in json.loads(path.read_text())]


def _entry(p: Partner) -> dict:
    d = asdict(p)
    if not p.cles:
        del d["cles"]
    else:
        d["cles"] = list(p.cles)
    return d


def _write(path: Path, partners: Iterable[Partner]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps([_entry(p) for p in sorted(partners, key=lambda p: p.id)], indent=2) + "\n")
    os.replace(tmp, path)


def check_identifiant(partner_type: str, identifiant: str) -> str:
    if partner_type not in PARTNER_TYPES:
        raise PartnerError(f"partner type {partner_type!r}: expected one of {', '.join(PARTNER_TYPES)}")
    if not identifiant_valide(partner_type, identifiant):
        raise PartnerError(f"{identifiant!r} is not a valid {partner_type} identifier: "
                           f"expected {_IDENTIFIANT_AIDE[partner_type]}")
    return partner_id(partner_type, identifiant)


def add_partner(settings: Settings, partner_type: str, identifiant: str,
                public_key: str | None = None) -> tuple[str, str | None]:
    """Register a partner; returns (partner_id, private_key_b64). With ``public_key`` (the
    partner made its own pair), that key is registered and no private key exists here (None).
    Otherwise a pair is made; the private key is not kept: give it to the partner now.
    A partner already registered is refused (PartnerError)."""
    pid = check_identifiant(partner_type, identifiant)
    partners = {p.id: p for p in _read(settings.partners_file)}
    if pid in partners:
        raise PartnerError(f"{pid} is already registered: to change its key, use `partners rotate`")
    private = None
    if public_key is None:
        private, public_key = signing.new_key_pair()
    partners[pid] = Partner(pid, partner_type, identifiant, public_key)
    _write(settings.partners_file, partners.values())
    cles.journaliser(settings.partners_journal, pid, "ajout", cle=cles.identifiant(public_key))
    return pid, private


def _partenaire(settings: Settings, pid: str) -> tuple[dict, Partner]:
    partners = {p.id: p for p in _read(settings.partners_file)}
    if pid not in partners:
        raise PartnerError(f"{pid} is not registered (see `partners list`)")
    return partners, partners[pid]


def rotate_key(settings: Settings, pid: str, public_key: str, fin_ancienne: str) -> str:
    """Add a new key to a partner; its keys in force so far end at ``fin_ancienne`` (ISO 8601
    date-time, UTC if no offset): until then both sign. Returns the new key's id."""
    fin = datetime.fromisoformat(fin_ancienne)
    fin = (fin if fin.tzinfo else fin.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")
    partners, p = _partenaire(settings, pid)
    nouvelle = cles.nouvelle(public_key)
    if any(c["id"] == nouvelle["id"] for c in cles.cles_de(p)):
        raise PartnerError(f"key {nouvelle['id']} is already registered for {pid}")
    anciennes = [dict(c, fin=c["fin"] or fin) if not c["revoquee"] else c for c in cles.cles_de(p)]
    partners[pid] = replace(p, public_key=public_key, cles=tuple(anciennes + [nouvelle]))
    _write(settings.partners_file, partners.values())
    cles.journaliser(settings.partners_journal, pid, "rotation", cle=nouvelle["id"],
                     fin_anciennes=fin, anciennes=[c["id"] for c in anciennes if not c["revoquee"]])
    return nouvelle["id"]


def revoke_key(settings: Settings, pid: str, key_id: str, motif: str = "") -> None:
    """Revoke one key of a partner now: a message it signs is refused CLE_REVOQUEE."""
    partners, p = _partenaire(settings, pid)
    found = [c for c in cles.cles_de(p) if c["id"] == key_id]
    if not found:
        raise PartnerError(f"{pid} has no key {key_id} (see `partners list`)")
    quand = cles.maintenant()
    keys = [dict(c, revoquee=c["revoquee"] or quand) if c["id"] == key_id else c for c in cles.cles_de(p)]
    en_vigueur = [c for c in keys if not c["revoquee"]]
    partners[pid] = replace(p, public_key=en_vigueur[-1]["public_key"] if en_vigueur else p.public_key,
                            cles=tuple(keys))
    _write(settings.partners_file, partners.values())
    cles.journaliser(settings.partners_journal, pid, "revocation", cle=key_id, motif=motif)


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
        known = partners.get(pid)
        if known is None or (known.type, known.identifiant, known.public_key) != (ptype, ident, public):
            partners[pid] = Partner(pid, ptype, ident, public)
            changed = True
        creds.append(Credentials(pid, ptype, ident, private))
    if changed:
        _write(settings.partners_file, partners.values())
    return creds
