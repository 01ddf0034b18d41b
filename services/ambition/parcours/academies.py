"""The académie of a lycée, from the département digits of its UAI (the first three: ``075``
Paris, ``069`` Rhône, ``620`` / ``720`` Corsica, ``974`` La Réunion). Académies are named like
their Foquale/MLDS networks (``ac-paris``): EMETTEUR_AUTORISE lets a network act only for the
parcours of its académie's lycées. The PSAD's territories start from the same table.
"""
from __future__ import annotations

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
_PAR_DEPARTEMENT = {code.zfill(3): ac for ac, codes in ACADEMIES.items() for code in codes.split()}


def academie(uai: str) -> str | None:
    """``ac-<name>`` of the UAI's département, or None when unknown."""
    return _PAR_DEPARTEMENT.get(uai[:3]) if uai else None
