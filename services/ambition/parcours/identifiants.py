"""Syntactic checks of the identifiers partners send (UAI, SIRET, INE): pure functions."""
from __future__ import annotations

import re

_LETTRES_UAI = "ABCDEFGHJKLMNPRSTUVWXYZ"
_UAI = re.compile(r"[0-9]{7}[A-Z]")
_SIRET = re.compile(r"[0-9]{14}")
_INE = re.compile(r"[0-9A-Z]{10}[A-Z]")


def uai_valide(uai: str) -> bool:
    """7 digits and a key letter: ``"ABCDEFGHJKLMNPRSTUVWXYZ"[n % 23]`` (e.g. ``0753268V``)."""
    if not isinstance(uai, str) or not _UAI.fullmatch(uai):
        return False
    return _LETTRES_UAI[int(uai[:7]) % 23] == uai[7]


def luhn_valide(chiffres: str) -> bool:
    """Luhn check: from the right, every second digit is doubled (minus 9 above 9)."""
    total = 0
    for rang, car in enumerate(reversed(chiffres)):
        n = int(car)
        if rang % 2 == 1:
            n = n * 2 - 9 if n > 4 else n * 2
        total += n
    return total % 10 == 0


SIREN_LA_POSTE = "356000000"


def siret_valide(siret: str) -> bool:
    """14 digits with a valid Luhn key; La Poste's establishments (SIREN 356000000) instead have
    a digit sum that is a multiple of 5."""
    if not isinstance(siret, str) or not _SIRET.fullmatch(siret):
        return False
    if siret.startswith(SIREN_LA_POSTE):
        return sum(int(c) for c in siret) % 5 == 0
    return luhn_valide(siret)


def ine_valide(ine: str) -> bool:
    """11 characters: ten digits or capital letters, then a capital letter."""
    return isinstance(ine, str) and bool(_INE.fullmatch(ine))
