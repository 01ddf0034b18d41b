"""The Foquale / MLDS producer: one method per ambition.foquale event."""
from __future__ import annotations

from datetime import date

from .base import PartnerProducer


class FoqualeProducer(PartnerProducer):
    partner_type = "FOQUALE"
    namespace = "ambition.foquale"

    def positionnement_realise(self, *, cle: str, date: date, **options):
        return self.emit("PositionnementRealise", cle, dict(date=date), **options)

    def solution_proposee(self, *, cle: str, solution_id: str, solution: str, date: date, **options):
        """solution: REPARATION_EXAMEN, REMOBILISATION, REMEDIATION, SOLUTION_FOQUALE, SERVICE_CIVIQUE_ALTERNE."""
        return self.emit("SolutionProposee", cle, dict(solution_id=solution_id, solution=solution, date=date),
                         **options)

    def solution_demarree(self, *, cle: str, solution_id: str, date: date, **options):
        return self.emit("SolutionDemarree", cle, dict(solution_id=solution_id, date=date), **options)
