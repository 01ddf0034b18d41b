"""The rentrée calendar and the school year of a date.

School year ``Y`` (written Y/Y+1) runs from August 1st of Y to July 31st of Y+1: the summer
after the June exam session belongs to the *next* school year, so a parcours starting in
August 2025 is in school year 2025 and must wait for the 2025 rentrée (DEBUT_RENTREE).
Deriving the year from the rentrée dates themselves would make DEBUT_RENTREE vacuous (every
date would be after the rentrée of "its" year), hence the fixed August 1st boundary.

The rentrée dates are configuration: national defaults, overridden per year by the JSON
``AMBITION_CALENDRIER`` (``{"2026": "2026-09-01"}``). An unknown year defaults to
September 1st.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date

#: The arrêté of 18 July 2023 opened the parcours from the 2023 rentrée.
PREMIERE_ANNEE = 2023

#: National rentrée dates (bulletin officiel), the default calendar.
RENTREES_NATIONALES: dict[int, date] = {
    2023: date(2023, 9, 4),
    2024: date(2024, 9, 2),
    2025: date(2025, 9, 1),
    2026: date(2026, 9, 1),
    2027: date(2027, 9, 1),
}


def annee_scolaire(jour: date) -> int:
    """The Y of school year Y/Y+1 holding ``jour``."""
    return jour.year if jour.month >= 8 else jour.year - 1


@dataclass(frozen=True)
class Calendrier:
    rentrees: dict[int, date] = field(default_factory=lambda: dict(RENTREES_NATIONALES))

    def rentree(self, annee: int) -> date:
        return self.rentrees.get(annee, date(annee, 9, 1))

    @classmethod
    def depuis_json(cls, texte: str) -> Calendrier:
        """National defaults updated by a JSON object ``{"YYYY": "YYYY-MM-DD"}`` ('' = none)."""
        rentrees = dict(RENTREES_NATIONALES)
        if texte.strip():
            try:
                donnees = json.loads(texte)
                rentrees.update({int(a): date.fromisoformat(j) for a, j in donnees.items()})
            except (ValueError, AttributeError, TypeError) as exc:
                raise ValueError(
                    f"AMBITION_CALENDRIER must be a JSON object like "
                    f'{{"2026": "2026-09-01"}}, got {texte!r}: {exc}'
                ) from exc
        return cls(rentrees)
