"""Checks of the identifiers partners send (DOMAIN.md, "Identifiers and their checks")."""
from __future__ import annotations

import re

UAI_LETTRES = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI = re.compile(r"^[0-9]{7}[A-Z]$")
_SIRET = re.compile(r"^[0-9]{14}$")
_INE = re.compile(r"^[0-9A-Z]{10}[A-Z]$")
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{1,39}$")
_CLE = re.compile(r"^[0-9a-f]{32}$")

PARTNER_TYPES = ("LYCEE", "MISSION_LOCALE", "FOQUALE")
PREFIXES = {"LYCEE": "lycee", "MISSION_LOCALE": "ml", "FOQUALE": "foquale"}


def cle_uai(numero: str) -> str:
    """The key letter of a 7-digit UAI number."""
    return UAI_LETTRES[int(numero) % 23]


def uai_valide(uai: str) -> bool:
    return isinstance(uai, str) and bool(_UAI.match(uai)) and cle_uai(uai[:7]) == uai[7]


def luhn_valide(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def siret_valide(siret: str) -> bool:
    return isinstance(siret, str) and bool(_SIRET.match(siret)) and luhn_valide(siret)


def ine_valide(ine: str) -> bool:
    return isinstance(ine, str) and bool(_INE.match(ine))


def code_foquale_valide(code: str) -> bool:
    """Foquale / MLDS codes: lower-case letters, digits and dashes, e.g. ``ac-paris``."""
    return isinstance(code, str) and bool(_CODE.match(code))


def cle_valide(cle: str) -> bool:
    """A pseudonymous parcours key: 32 lower-case hex characters."""
    return isinstance(cle, str) and bool(_CLE.match(cle))


def identifiant_valide(partner_type: str, identifiant: str) -> bool:
    return {"LYCEE": uai_valide, "MISSION_LOCALE": siret_valide,
            "FOQUALE": code_foquale_valide}[partner_type](identifiant)


def partner_id(partner_type: str, identifiant: str) -> str:
    """``lycee:<UAI>``, ``ml:<SIRET>``, ``foquale:<code>``."""
    return f"{PREFIXES[partner_type]}:{identifiant}"
