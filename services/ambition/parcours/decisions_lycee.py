"""The lycée's facts: enrolment (eligibility, consent, dates), référent, teaching, PFMP,
withdrawal."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from ambition.parcours import regles, regles_temps
from ambition.parcours.aggregate import Parcours
from ambition.parcours.calendrier import PREMIERE_ANNEE, Calendrier, annee_scolaire
from ambition.parcours.erreurs import IDENTIFIANT_INVALIDE, Refus
from ambition.parcours.faits import Fait
from ambition.parcours.identifiants import ine_valide, uai_valide
from ambition.parcours.verifications import (
    clore, commun, dans_le_parcours, exiger, fin_de_periode, periode_entreprise,
    verifier_cloture,
)

CHAMPS_INSCRIPTION = (
    "uai", "diplome", "specialite", "session_examen", "resultat_examen", "en_emploi",
    "en_formation", "consentement_eleve", "consentement_representant_legal", "referent",
    "date_debut", "date_fin_prevue", "boursier", "interne", "fonds_sociaux",
)


def anniversaire(naissance: date, age: int) -> date:
    """The day one turns ``age`` (a 29 February birthday falls on 1 March)."""
    try:
        return naissance.replace(year=naissance.year + age)
    except ValueError:
        return date(naissance.year + age, 3, 1)


def inscrire(p: Parcours | None, fait: Fait, calendrier: Calendrier) -> Parcours:
    f = fait.payload
    debut, fin, naissance = f["date_debut"], f["date_fin_prevue"], f["date_naissance"]
    regles.emetteur_concerne("EleveInscrit", f["uai"], fait.emetteur.identifiant,
                             "enrolling lycée (payload uai)")
    if not uai_valide(f["uai"]):
        raise Refus(IDENTIFIANT_INVALIDE, f"UAI {f['uai']!r} is not valid (7 digits + key letter)")
    if not ine_valide(f["ine"]):
        raise Refus(IDENTIFIANT_INVALIDE, "the INE is not valid ([0-9A-Z]{10}[A-Z])")
    annee = annee_scolaire(debut)
    regles.un_seul_parcours(p is not None and p.ouvert, p.date_cloture if p else None, debut)
    regles.eligibilite_diplome(f["diplome"])
    regles.eligibilite_session(f["session_examen"], annee)
    regles.eligibilite_situation(f["en_emploi"], f["en_formation"])
    mineur = debut < anniversaire(naissance, 18)
    regles.volontariat(f["consentement_eleve"], f.get("consentement_representant_legal"), mineur)
    regles.debut_rentree(debut, calendrier.rentree(annee), PREMIERE_ANNEE)
    regles_temps.fin_apres_debut("the parcours", debut, fin)
    regles.duree_max_4_mois(debut, fin)
    du = max(anniversaire(naissance, 16), debut)
    au = max(du, min(anniversaire(naissance, 26), fin + timedelta(days=1)))
    champs: dict[str, Any] = {c: f.get(c) for c in CHAMPS_INSCRIPTION}
    champs.update(commun(fait), annee_scolaire=annee, mineur=mineur,
                  pacea_possible_du=du, pacea_possible_au=au)
    if p is None:
        return Parcours.inscrire(cle=fait.cle, **champs)
    p.reinscrire(cle=fait.cle, **champs)
    return p


def referent_change(p: Parcours, fait: Fait) -> None:
    dans_le_parcours(p, "référent change", fait.payload["date_effet"])
    p.referent_change(**commun(fait), referent=fait.payload["referent"],
                      date_effet=fait.payload["date_effet"])


def activite_lycee(p: Parcours, fait: Fait) -> None:
    f = fait.payload
    exiger(f["activite"] in ("CONSOLIDATION_ACQUIS", "PREPARATION_EPREUVES"),
           f"unknown lycée activity {f['activite']!r}")
    dans_le_parcours(p, f"activity {f['activite']}", f["date"])
    p.activite_lycee_realisee(**commun(fait), activite=f["activite"], date=f["date"],
                              duree_heures=f.get("duree_heures"))


def pfmp_debutee(p: Parcours, fait: Fait) -> None:
    jours = periode_entreprise(p, fait, "PFMP")
    f = fait.payload
    p.pfmp_debutee(**commun(fait), periode_id=f["periode_id"], siret=f["siret"],
                   date_debut=f["date_debut"], date_fin_prevue=f["date_fin_prevue"],
                   jours_en_entreprise=jours)


def pfmp_terminee(p: Parcours, fait: Fait) -> None:
    jours = fin_de_periode(p, fait, ("PFMP",))
    p.pfmp_terminee(**commun(fait), periode_id=fait.payload["periode_id"],
                    date_fin=fait.payload["date_fin"], jours_en_entreprise=jours)


def abandon(p: Parcours, fait: Fait) -> None:
    """The lycée declares the élève left: closes the parcours with outcome ABANDON."""
    jour = fait.payload["date"]
    verifier_cloture(p, "withdrawal", jour)
    p.abandon_declare(**commun(fait), date=jour, motif=fait.payload.get("motif"))
    clore(p, fait, "ABANDON", jour)


DECISIONS = {
    "ReferentChange": referent_change,
    "ActiviteLyceeRealisee": activite_lycee,
    "PfmpDebutee": pfmp_debutee,
    "PfmpTerminee": pfmp_terminee,
    "AbandonDeclare": abandon,
}
