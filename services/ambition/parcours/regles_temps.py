"""CHRONOLOGIE: facts coherent in time, one pure guard per situation (same reason code).

Dates are calendar dates; the day a partner declared a fact is its envelope instant read in
Europe/Paris (``jour_de_declaration``).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ambition.parcours.erreurs import Refus

PARIS = ZoneInfo("Europe/Paris")


def jour_de_declaration(instant: datetime) -> date:
    """The calendar day in Europe/Paris of a UTC instant (a naive instant is UTC)."""
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=timezone.utc)
    return instant.astimezone(PARIS).date()


def aujourd_hui(maintenant: datetime | None = None) -> date:
    """"Today" for the platform (alerts, ``as_of`` defaults): the day in Europe/Paris."""
    return jour_de_declaration(maintenant or datetime.now(timezone.utc))


def pas_apres_la_declaration(quoi: str, jour: date, declaration: date) -> None:
    if jour > declaration:
        raise Refus("CHRONOLOGIE", f"{quoi} is dated {jour}, after the day its partner declared "
                                   f"it ({declaration}, Europe/Paris)")


def fin_apres_debut(quoi: str, debut: date, fin: date) -> None:
    if fin < debut:
        raise Refus("CHRONOLOGIE", f"{quoi} ends ({fin}) before it starts ({debut})")


def cloture_apres_les_faits(quoi: str, jour: date, dernier_fait: date) -> None:
    """A closure (bilan, withdrawal) is not dated before a fact already recorded."""
    if jour < dernier_fait:
        raise Refus("CHRONOLOGIE", f"{quoi} dated {jour} is before a fact already recorded, "
                                   f"dated {dernier_fait}")
