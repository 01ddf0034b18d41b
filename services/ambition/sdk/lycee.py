"""The lycée's producer: one method per ambition.lycee event."""
from __future__ import annotations

from datetime import date, datetime

from .base import PartnerProducer


class LyceeProducer(PartnerProducer):
    partner_type = "LYCEE"
    namespace = "ambition.lycee"

    def eleve_inscrit(self, *, ine: str, nom: str, prenom: str, date_naissance: date, diplome: str,
                      session_examen: int, resultat_examen: str, en_emploi: bool, en_formation: bool,
                      consentement_eleve: bool, referent: str, date_debut: date, date_fin_prevue: date,
                      boursier: bool = False, interne: bool = False, fonds_sociaux: bool = False,
                      accompagnement_handicap: bool = False, specialite: str | None = None,
                      consentement_representant_legal: bool | None = None, uai: str | None = None,
                      mission_locale_pressentie: str | None = None,
                      event_id: str | None = None, time: datetime | None = None, version: int | None = None):
        """Enrol an élève. The INE, names, birth date and disability support are sealed to the
        platform's public key (field ``identite``); the subject is the sealed INE and the Kafka
        key this lycée's pseudonym of the élève. ``uai`` defaults to this lycée's."""
        extra = {"mission_locale_pressentie": mission_locale_pressentie}
        fields = dict(ine=ine, nom=nom, prenom=prenom, date_naissance=date_naissance,
                      uai=uai or self.credentials.identifiant, diplome=diplome, specialite=specialite,
                      session_examen=session_examen, resultat_examen=resultat_examen, en_emploi=en_emploi,
                      en_formation=en_formation, consentement_eleve=consentement_eleve,
                      consentement_representant_legal=consentement_representant_legal, referent=referent,
                      date_debut=date_debut, date_fin_prevue=date_fin_prevue, boursier=boursier,
                      interne=interne, fonds_sociaux=fonds_sociaux,
                      accompagnement_handicap=accompagnement_handicap, **extra)
        return self.emit("EleveInscrit", ine if isinstance(ine, str) else "", fields,
                         event_id=event_id, time=time, version=version)

    def referent_change(self, *, cle: str, referent: str, date_effet: date, **options):
        return self.emit("ReferentChange", cle, dict(referent=referent, date_effet=date_effet), **options)

    def activite_lycee_realisee(self, *, cle: str, activite: str, date: date,
                                duree_heures: int | None = None, **options):
        return self.emit("ActiviteLyceeRealisee", cle,
                         dict(activite=activite, date=date, duree_heures=duree_heures), **options)

    def pfmp_debutee(self, *, cle: str, periode_id: str, siret: str, date_debut: date,
                     date_fin_prevue: date, **options):
        return self.emit("PfmpDebutee", cle, dict(periode_id=periode_id, siret=siret, date_debut=date_debut,
                                                  date_fin_prevue=date_fin_prevue), **options)

    def pfmp_terminee(self, *, cle: str, periode_id: str, date_fin: date, **options):
        return self.emit("PfmpTerminee", cle, dict(periode_id=periode_id, date_fin=date_fin), **options)

    def abandon_declare(self, *, cle: str, date: date, motif: str | None = None, **options):
        return self.emit("AbandonDeclare", cle, dict(date=date, motif=motif), **options)

    def inscription_corrigee(self, *, cle: str, date: date, numero: int, motif: str,
                             date_fin_prevue: date | None = None, referent: str | None = None,
                             boursier: bool | None = None, interne: bool | None = None,
                             fonds_sociaux: bool | None = None, **options):
        """Correct enrolment data of the current parcours ``numero`` (None: unchanged)."""
        return self.emit("InscriptionCorrigee", cle, dict(
            date=date, numero=numero, date_fin_prevue=date_fin_prevue, referent=referent,
            boursier=boursier, interne=interne, fonds_sociaux=fonds_sociaux, motif=motif), **options)

    def mission_locale_changee(self, *, cle: str, date: date, numero: int, siret: str,
                               motif: str | None = None, **options):
        """The young person moved: mission locale ``siret`` now accompanies parcours ``numero``."""
        return self.emit("MissionLocaleChangee", cle, dict(date=date, numero=numero, siret=siret,
                                                           motif=motif), **options)

    def issue_corrigee(self, *, cle: str, date: date, issue: str, motif: str, numero: int,
                       **options):
        """Correct the outcome of parcours ``numero``, which this lycée closed (a withdrawal)."""
        return self.emit("IssueCorrigee", cle, dict(date=date, issue=issue, motif=motif,
                                                    numero=numero), **options)
