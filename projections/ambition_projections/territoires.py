"""A lycée's territory: its académie, from the département digits of its UAI.

The first three digits of a UAI are the département (``075`` Paris, ``069`` Rhône, ``620`` and
``720`` Corsica, ``974`` La Réunion). Territories are named like the académies' Foquale/MLDS
networks (``ac-paris``). ``AMBITION_TERRITOIRES`` (JSON) overrides or extends the mapping: keys are
a full UAI or a 3-digit département code, values a territory name, e.g.
``{"0753268V": "bassin-paris-centre", "093": "ac-creteil"}``. An unknown département is
``inconnu``.
"""
from __future__ import annotations

import json
from functools import lru_cache

from ambition.config import Settings
from ambition.parcours.academies import ACADEMIES

INCONNU = "inconnu"


@lru_cache(maxsize=1)
def _mapping(overrides: str) -> dict[str, str]:
    by_dept = {code.zfill(3): ac for ac, codes in ACADEMIES.items() for code in codes.split()}
    by_dept.update(json.loads(overrides) if overrides.strip() else {})
    return by_dept


def territoire(uai: str | None) -> str:
    if not uai:
        return INCONNU
    mapping = _mapping(Settings().territoires)
    return mapping.get(uai) or mapping.get(uai[:3]) or INCONNU


def connus() -> list[str]:
    return sorted(set(_mapping(Settings().territoires).values()))
