"""Content checks of a partner event, shared by the SDK (before sending) and ``inbound.lire``.

Each failure is an ``Invalide`` with a reason code. Messages never quote an INE, a name or a
birth date: only institution identifiers (UAI, SIRET), which are not personal data.
"""
from __future__ import annotations

from datetime import date

from . import bornes
from .identifiants import ine_valide, siret_valide, uai_valide

DATE_MIN, DATE_MAX = date(2000, 1, 1), date(2100, 12, 31)
NAISSANCE_MIN = date(1950, 1, 1)
SIRET_FIELDS = ("siret", "mission_locale_pressentie")
# (start field, end field) pairs that must be ordered in the same event
_INTERVALLES = (("date_debut", "date_fin_prevue"),)


class Invalide(ValueError):
    """A partner event fails a check; ``code`` is the reason code."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message

    def __reduce__(self):  # raised in an SDK's building process, read in its caller
        return (type(self), (self.code, self.message))


def verifier(fullname: str, envelope: dict, payload: dict) -> None:
    """Raise Invalide on the first failing identifier, date or length check (the subject is
    read by ``identite.adresse``; an enrolment's identity is checked once opened)."""
    if "ine" in payload and not ine_valide(payload["ine"]):
        raise Invalide("INE_INVALIDE", "ine must be 11 characters: 10 of [0-9A-Z] then a letter [A-Z] "
                                       "(value not repeated: personal data)")
    if "uai" in payload and not uai_valide(payload["uai"]):
        raise Invalide("UAI_INVALIDE", f"uai {payload['uai']!r} is not 7 digits followed by the key "
                                       "letter 'ABCDEFGHJKLMNPRSTUVWXYZ'[n % 23]")
    for name in SIRET_FIELDS:
        if payload.get(name) is not None and not siret_valide(payload[name]):
            raise Invalide("SIRET_INVALIDE", f"{name} {payload[name]!r} is not 14 digits passing the Luhn check")
    _verifier_dates(payload)
    trop = bornes.trop_long(payload)
    if trop:
        raise Invalide("CHAMP_TROP_LONG", trop)


def _verifier_dates(payload: dict) -> None:
    if "session_examen" in payload and not DATE_MIN.year <= payload["session_examen"] <= DATE_MAX.year:
        raise Invalide("DATE_INVALIDE", f"session_examen {payload['session_examen']} is not a year "
                                        f"between {DATE_MIN.year} and {DATE_MAX.year}")
    for name, value in payload.items():
        if not isinstance(value, date):
            continue
        if name == "date_naissance":
            if not NAISSANCE_MIN <= value <= DATE_MAX:
                raise Invalide("DATE_INVALIDE", "date_naissance is out of the plausible range "
                                                "(value not repeated: personal data)")
        elif not DATE_MIN <= value <= DATE_MAX:
            raise Invalide("DATE_INVALIDE", f"{name} {value.isoformat()} is not between "
                                            f"{DATE_MIN.isoformat()} and {DATE_MAX.isoformat()}")
    for debut, fin in _INTERVALLES:
        if debut in payload and fin in payload and payload[fin] < payload[debut]:
            raise Invalide("DATE_INVALIDE", f"{fin} {payload[fin].isoformat()} is before "
                                            f"{debut} {payload[debut].isoformat()}")
    if "date_naissance" in payload and "date_debut" in payload \
            and payload["date_naissance"] >= payload["date_debut"]:
        raise Invalide("DATE_INVALIDE", "date_naissance is not before date_debut "
                                        "(value not repeated: personal data)")
