"""Ground truth of the cohorts partners sent, and the views compared with it (shared by the
end-to-end tests of the platform's own failures)."""
from __future__ import annotations

import time
from collections import Counter

from ambition.exchange.cohorte import Cohorte


class Verite:
    """What every view must show, summed over the cohorts sent (hand-counted by `cohorte`)."""

    def __init__(self):
        self.entrees, self.issues, self.refus = 0, Counter(), Counter()
        self.par_lycee, self.jours = Counter(), Counter()

    def ajouter(self, c: Cohorte) -> None:
        self.entrees += c.entrees
        self.issues += c.issues
        self.refus += c.refus
        self.par_lycee += c.par_lycee
        self.jours += c.jours_pfmp

    def synthese(self) -> dict:
        return {"entrees": self.entrees, "parcours_ouverts": self.entrees - sum(self.issues.values()),
                "issues": dict(+self.issues), "refus": dict(+self.refus)}


def essentiel(synthese: dict) -> dict:
    return {k: synthese[k] for k in ("entrees", "parcours_ouverts", "issues", "refus")}


def attendre(condition, timeout: float, quoi: str, pause: float = 0.3):
    """Poll `condition` until it returns a true value; fail with `quoi` after `timeout`."""
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            last = condition()
        except Exception as exc:  # the API may answer 5xx while a store restarts
            last = exc
        if last and not isinstance(last, Exception):
            return last
        time.sleep(pause)
    raise AssertionError(f"{quoi} within {timeout:.0f} s; last: {last!r}")


def verifier_vues(get, v: Verite) -> None:
    """Every view equals the ground truth: the PSAD synthesis, and each lycée's own list (its
    élèves, their PFMP days, their mission locale). `get(path, actor, **params)`."""
    vu = []

    def egale() -> bool:
        vu[:] = [essentiel(get("/v1/psad/synthese", None))]
        return vu[0] == v.synthese()

    try:
        attendre(egale, 120, "PSAD synthesis never equal")
    except AssertionError:
        raise AssertionError(f"PSAD synthesis {vu} never equal to {v.synthese()}") from None
    for uai, n in v.par_lycee.items():
        items = get(f"/v1/lycees/{uai}/eleves", f"lycee:{uai}", limit=1000)["items"]
        assert len(items) == n, (uai, len(items), n)
        assert sum(e["jours_pfmp"] for e in items) == v.jours[uai]
        assert all(e["mission_locale"] for e in items)
    assert essentiel(get("/v1/psad/synthese", None)) == v.synthese()  # and it stays there
