"""Which partner serves a parcours, as a domain event's ``parcours`` record says."""
from __future__ import annotations

from ambition_projections.territoires import territoire

PREFIXES = {"lycee", "ml", "foquale"}


def sert(acteur: str, parcours: dict) -> bool:
    """Whether the partner ``acteur`` (``lycee:<UAI>``, ``ml:<SIRET>``, ``foquale:<code>``)
    serves the parcours an event's ``parcours`` record describes."""
    kind, _, ident = acteur.partition(":")
    if kind == "lycee":
        return parcours["uai"] == ident
    if kind == "ml":
        return parcours.get("mission_locale") == ident
    if kind == "foquale":
        return territoire(parcours["uai"]) == ident
    return False
