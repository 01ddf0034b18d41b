"""The mission locale's producer: one method per ambition.missionlocale event."""
from __future__ import annotations

from datetime import date

from .base import PartnerProducer


class MissionLocaleProducer(PartnerProducer):
    partner_type = "MISSION_LOCALE"
    namespace = "ambition.missionlocale"

    def accueil_realise(self, *, cle: str, conseiller: str, date: date, siret: str | None = None, **options):
        """The accueil; ``siret`` defaults to this mission locale's own."""
        return self.emit("AccueilRealise", cle, dict(siret=siret or self.credentials.identifiant,
                                                     conseiller=conseiller, date=date), **options)

    def pacea_signe(self, *, cle: str, date_signature: date, **options):
        return self.emit("PaceaSigne", cle, dict(date_signature=date_signature), **options)

    def pacea_termine(self, *, cle: str, date_fin: date, **options):
        return self.emit("PaceaTermine", cle, dict(date_fin=date_fin), **options)

    def activite_realisee(self, *, cle: str, activite: str, date: date, **options):
        """ActiviteMissionLocaleRealisee: MOBILISATION, BILAN_COMPETENCES, ATELIER_TRE, ..."""
        return self.emit("ActiviteMissionLocaleRealisee", cle, dict(activite=activite, date=date), **options)

    activite_mission_locale_realisee = activite_realisee

    def stage_debute(self, *, cle: str, periode_id: str, nature: str, siret: str, date_debut: date,
                     date_fin_prevue: date, **options):
        return self.emit("StageDebute", cle, dict(periode_id=periode_id, nature=nature, siret=siret,
                                                  date_debut=date_debut, date_fin_prevue=date_fin_prevue),
                         **options)

    def stage_termine(self, *, cle: str, periode_id: str, date_fin: date, **options):
        return self.emit("StageTermine", cle, dict(periode_id=periode_id, date_fin=date_fin), **options)

    def bilan_realise(self, *, cle: str, date: date, issue: str,
                      participants: list[str] = ("JEUNE", "CONSEILLER_ML", "REFERENT_PARCOURS"),
                      detail: str | None = None, **options):
        return self.emit("BilanRealise", cle, dict(date=date, participants=list(participants), issue=issue,
                                                   detail=detail), **options)

    def issue_corrigee(self, *, cle: str, date: date, issue: str, motif: str,
                       numero: int | None = None, **options):
        """Correct the outcome of parcours ``numero`` (closed by this mission locale's bilan)."""
        return self.emit("IssueCorrigee", cle, dict(date=date, issue=issue, motif=motif,
                                                    numero=numero), **options)
