"""A lycée's territory: its académie, from the département digits of its UAI.

The first three digits of a UAI are the département (``075`` Paris, ``069`` Rhône, ``620`` and
``720`` Corsica, ``974`` La Réunion). Territories are named like the académies' Foquale/MLDS
networks (``ac-paris``). ``AMBITION_TERRITOIRES`` (JSON) overrides or extends the mapping: keys are
a full UAI or a 3-digit département code, values a territory name, e.g.
``{"0753268V": "bassin-paris-centre", "093": "ac-creteil"}``. An unknown département is
``inconnu``.

The projections look territories up for every event: they take one `Carte` for a whole worker
or rebuild (`carte()`), rather than reading the settings each time as `territoire` does.
"""
from __future__ import annotations

import json
from functools import lru_cache

from ambition.config import Settings
from ambition.parcours.academies import ACADEMIES

INCONNU = "inconnu"


class Carte:
    """The territory of a UAI: by full UAI, then by département, else ``inconnu``."""

    def __init__(self, overrides: str = ""):
        self.par_cle = {code.zfill(3): ac for ac, codes in ACADEMIES.items() for code in codes.split()}
        self.par_cle.update(json.loads(overrides) if overrides.strip() else {})

    def __call__(self, uai: str | None) -> str:
        if not uai:
            return INCONNU
        return self.par_cle.get(uai) or self.par_cle.get(uai[:3]) or INCONNU

    def connus(self) -> list[str]:
        return sorted(set(self.par_cle.values()))


@lru_cache(maxsize=4)
def _carte(overrides: str) -> Carte:
    return Carte(overrides)


def carte(settings: Settings | None = None) -> Carte:
    """The mapping configured in `settings` (default: the environment's, read now)."""
    return _carte((settings or Settings()).territoires)


def territoire(uai: str | None) -> str:
    return carte()(uai)


def connus() -> list[str]:
    return carte().connus()
