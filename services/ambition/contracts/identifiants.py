"""Checks of the identifiers partners send (DOMAIN.md, "Identifiers and their checks")."""
from __future__ import annotations

import re

# The identifier checks themselves live in the domain (one implementation, pure functions).
from ambition.parcours.identifiants import (_LETTRES_UAI as UAI_LETTRES, ine_valide,  # noqa: F401
                                            luhn_valide, siret_valide, uai_valide)

_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_CLE = re.compile(r"[0-9a-f]{32}")

PARTNER_TYPES = ("LYCEE", "MISSION_LOCALE", "FOQUALE")
PREFIXES = {"LYCEE": "lycee", "MISSION_LOCALE": "ml", "FOQUALE": "foquale"}


def cle_uai(numero: str) -> str:
    """The key letter of a 7-digit UAI number."""
    return UAI_LETTRES[int(numero) % 23]


def code_foquale_valide(code: str) -> bool:
    """Foquale / MLDS codes: lower-case letters, digits and dashes, e.g. ``ac-paris``."""
    return isinstance(code, str) and bool(_CODE.fullmatch(code))


def cle_valide(cle: str) -> bool:
    """A pseudonymous parcours key: 32 lower-case hex characters."""
    return isinstance(cle, str) and bool(_CLE.fullmatch(cle))


def identifiant_valide(partner_type: str, identifiant: str) -> bool:
    return {"LYCEE": uai_valide, "MISSION_LOCALE": siret_valide,
            "FOQUALE": code_foquale_valide}[partner_type](identifiant)


def partner_id(partner_type: str, identifiant: str) -> str:
    """``lycee:<UAI>``, ``ml:<SIRET>``, ``foquale:<code>``."""
    return f"{PREFIXES[partner_type]}:{identifiant}"
