"""The order in which a batch's facts are decided.

Across partners nothing orders the facts of one parcours: a mission locale's accueil may
arrive before the lycée's enrolment. Such a fact waits (parked, or held within the batch) and
is decided right after the enrolment that creates its parcours, in its arrival order, so that
the facts that follow it in the batch see it (an activity after the accueil it needs).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable

from ambition.contracts.inbound import Rejet
from ambition.parcours import Fait


@dataclass(frozen=True)
class Source:
    """One message to decide: read into a ``fait``, or refused by the reading (``rejet``);
    ``row`` is its parking row when it comes out of the parking."""
    inc: Any  # messages.Incoming
    fait: Fait | None
    rejet: Rejet | None
    row: Any = None

    @property
    def cle(self) -> str | None:
        return self.fait.cle if self.fait else (self.row.cle if self.row is not None else None)


def ordonner(sources: list[Source], parquees: list[Source], existe: Callable[[str], bool]) -> list[Source]:
    """``sources`` in arrival order, with the parked facts of each key enrolled in the batch,
    and the facts of the batch that came before their key's enrolment, moved right after
    that enrolment. A key whose parcours already exists is left in arrival order (its facts
    were not waiting: they belong to the existing parcours), after the parked facts of that
    key given in ``parquees`` (they arrived earlier)."""
    premiere: dict[str, int] = {}
    for i, s in enumerate(sources):
        if s.fait and s.fait.type == "EleveInscrit":
            premiere.setdefault(s.fait.cle, i)
    avant = {s.fait.cle for i, s in enumerate(sources)
             if s.fait and s.fait.type != "EleveInscrit" and i < premiere.get(s.fait.cle, -1)}
    retenir = {cle for cle in avant if not existe(cle)}
    attendent: dict[str, list[Source]] = defaultdict(list)
    for p in parquees:
        attendent[p.cle].append(p)
    ordre: list[Source] = []
    for i, s in enumerate(sources):
        cle = s.cle
        if cle in retenir and i < premiere[cle]:
            attendent[cle].append(s)  # after the parked ones: they arrived earlier
            continue
        if cle is not None and cle not in premiere and cle in attendent:
            ordre += attendent.pop(cle)
        ordre.append(s)
        if cle is not None and i == premiere.get(cle):
            ordre += attendent.pop(cle, [])
    for rest in attendent.values():  # parked facts whose key's enrolment failed to read
        ordre += rest
    return ordre
