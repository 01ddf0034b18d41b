"""What a simulated cohort must show: the PSAD figures computed from the stories themselves
(counted as the arrêté and DOMAIN.md define them, not by the platform's code)."""
from __future__ import annotations

import statistics
from collections import Counter

from .histoires import ISSUES_BILAN, Histoire


def verite(histoires: list[Histoire]) -> dict:
    """The national PSAD synthesis this cohort gives on an empty platform (the same keys as
    ``GET /v1/psad/synthese``)."""
    entres = [h for h in histoires if h.entre]
    clos = [h for h in entres if h.issue]
    avec_solution = sum(1 for h in entres if h.solution or h.issue in ISSUES_BILAN)
    refus = Counter(f.refus for h in histoires for f in h.faits if f.refus)
    par_lycee, par_ml = Counter(h.uai for h in entres), Counter(h.mission_locale for h in entres if h.mission_locale)
    return {
        "entrees": len(entres),
        "parcours_ouverts": len(entres) - len(clos),
        "issues": dict(sorted(Counter(h.issue for h in clos).items())),
        "part_avec_solution": round(avec_solution / len(entres), 3) if entres else None,
        "duree_mediane_jours": statistics.median((h.cloture - h.debut).days + 1 for h in clos) if clos else None,
        "entrees_par_mois": dict(sorted(Counter(h.debut.strftime("%Y-%m") for h in entres).items())),
        "refus": dict(sorted(refus.items())),
        "par_lycee": dict(sorted(par_lycee.items())),
        "par_mission_locale": dict(sorted(par_ml.items())),
        "entonnoir": {"entrees": len(entres), "accueil": sum(1 for h in entres if h.mission_locale),
                      "pacea_ou_solution": sum(1 for h in entres if h.pacea or h.solution),
                      "issue": sum(1 for h in clos if h.issue in ISSUES_BILAN)},
        "issues_par_mois": {m: dict(sorted(Counter(h.issue for h in clos if h.cloture.strftime("%Y-%m") == m).items()))
                            for m in sorted({h.cloture.strftime("%Y-%m") for h in clos})},
    }


def de_la_synthese(s: dict) -> dict:
    """The same figures read from a ``/v1/psad/synthese`` answer, to compare with ``verite``."""
    keys = ("entrees", "parcours_ouverts", "issues", "part_avec_solution", "duree_mediane_jours",
            "entrees_par_mois", "refus", "entonnoir", "issues_par_mois")
    out = {k: s[k] for k in keys}
    out["par_lycee"] = {l["uai"]: l["entrees"] for l in s["par_lycee"]}
    out["par_mission_locale"] = {l["mission_locale"]: l["entrees"] for l in s["par_mission_locale"]}
    return out
