"""Assertions on a Resultat."""
from __future__ import annotations

from ambition.parcours.faits import ACCEPTE, REFUSE, Resultat


def refuse(resultat: Resultat, code: str) -> None:
    assert resultat.statut == REFUSE, resultat
    assert resultat.code == code, resultat
    assert resultat.message and resultat.message.startswith(code), resultat


def accepte(resultat: Resultat) -> None:
    assert resultat.statut == ACCEPTE, resultat
