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

ACADEMIES = {
    "ac-aix-marseille": "04 05 13 84", "ac-amiens": "02 60 80", "ac-besancon": "25 39 70 90",
    "ac-bordeaux": "24 33 40 47 64", "ac-clermont-ferrand": "03 15 43 63",
    "ac-corse": "620 720", "ac-creteil": "77 93 94", "ac-dijon": "21 58 71 89",
    "ac-grenoble": "07 26 38 73 74", "ac-lille": "59 62", "ac-limoges": "19 23 87",
    "ac-lyon": "01 42 69", "ac-montpellier": "11 30 34 48 66", "ac-nancy-metz": "54 55 57 88",
    "ac-nantes": "44 49 53 72 85", "ac-nice": "06 83", "ac-normandie": "14 27 50 61 76",
    "ac-orleans-tours": "18 28 36 37 41 45", "ac-paris": "75", "ac-poitiers": "16 17 79 86",
    "ac-reims": "08 10 51 52", "ac-rennes": "22 29 35 56", "ac-strasbourg": "67 68",
    "ac-toulouse": "09 12 31 32 46 65 81 82", "ac-versailles": "78 91 92 95",
    "ac-guadeloupe": "971", "ac-martinique": "972", "ac-guyane": "973",
    "ac-la-reunion": "974", "ac-mayotte": "976",
}
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
