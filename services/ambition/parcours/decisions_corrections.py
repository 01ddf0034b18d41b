"""Corrections and moves: the outcome of a closed parcours (by whoever closed it, naming its
number), the enrolment data (by the lycée, within the rules), the mission locale after the
young person moved (declared by the lycée)."""
from __future__ import annotations

from ambition.parcours import droits, regles, regles_temps
from ambition.parcours.aggregate import Parcours
from ambition.parcours.erreurs import Refus
from ambition.parcours.faits import Fait
from ambition.parcours.identifiants import siret_valide
from ambition.parcours.verifications import commun, dans_le_parcours, exiger


def issue_corrigee(p: Parcours, fait: Fait) -> None:
    """Parcours ``numero`` (the latest closed one when a v1 sender names none) is closed; the
    correction comes from the partner that closed it, dated on or after the closure."""
    f = fait.payload
    numero = f.get("numero") or (p.numero if p.clos else max(p.historique, default=0))
    clos = p.historique.get(numero)
    if clos is None or "date_cloture" not in clos:
        raise Refus("ISSUE_UNIQUE", f"no outcome to correct: parcours {numero} of this élève is "
                                    "not closed")
    regles.emetteur_concerne("IssueCorrigee", clos["emetteur"], fait.emetteur.partner_id,
                             f"closer of parcours {numero}")
    exiger(f["issue"] in droits.ISSUES, f"unknown outcome {f['issue']!r}")
    if f["date"] < clos["date_cloture"]:
        raise Refus("CHRONOLOGIE", f"correction dated {f['date']} is before the closure of "
                                   f"parcours {numero} ({clos['date_cloture']})")
    p.issue_corrigee(**commun(fait), date=f["date"], issue=f["issue"], motif=f["motif"],
                     numero=numero,
                     statut_scolaire_conserve=droits.statut_scolaire_conserve(f["issue"]),
                     statut_structure_accueil=droits.statut_structure_accueil(f["issue"]))


def _numero_courant(p: Parcours, fait: Fait) -> None:
    numero = fait.payload.get("numero")
    exiger(numero == p.numero, f"{fait.type} names parcours {numero}, the élève's current "
                               f"parcours is {p.numero}")


def inscription_corrigee(p: Parcours, fait: Fait) -> None:
    """The lycée corrects planned end, référent or rights of the current parcours; a new planned
    end obeys DUREE_MAX_4_MOIS, keeps every recorded fact inside the parcours and the days
    already planned in enterprise within 2/3 of the new duration (PFMP_DEUX_TIERS)."""
    f = fait.payload
    _numero_courant(p, fait)
    exiger(p.ouvert, f"parcours {p.numero} is closed: its enrolment data can no longer change")
    fin = f.get("date_fin_prevue") or p.date_fin_prevue
    regles_temps.fin_apres_debut("the parcours", p.date_debut, fin)
    regles.duree_max_4_mois(p.date_debut, fin)
    bornes = [x["date_fin"] for x in p.periodes.values()] + [p.dernier_fait, f["date"]]
    regles.dans_le_parcours("a fact already recorded", max(bornes), p.date_debut, fin)
    regles.pfmp_deux_tiers(p.jours_en_entreprise, 0, p.date_debut, fin)
    champs = {c: getattr(p, c) if f.get(c) is None else f[c]
              for c in ("referent", "boursier", "interne", "fonds_sociaux")}
    p.inscription_corrigee(**commun(fait), date=f["date"], date_fin_prevue=fin, motif=f["motif"],
                           **champs)


def mission_locale_changee(p: Parcours, fait: Fait) -> None:
    """The young person moved: the lycée names the new mission locale; the former one may no
    longer act, the new one after its own accueil."""
    f = fait.payload
    _numero_courant(p, fait)
    regles.siret_valide("mission locale", f["siret"], siret_valide(f["siret"]))
    exiger(f["siret"] != p.mission_locale, f"mission locale {f['siret']} already serves this "
                                           "parcours")
    dans_le_parcours(p, "transfer", f["date"])
    if p.date_accueil is not None and f["date"] < p.date_accueil:
        raise Refus("CHRONOLOGIE", f"transfer dated {f['date']} is before the accueil of "
                                   f"{p.date_accueil}")
    p.mission_locale_changee(**commun(fait), date=f["date"], siret=f["siret"],
                             ancienne_mission_locale=p.mission_locale, motif=f.get("motif"))


DECISIONS = {
    "IssueCorrigee": issue_corrigee,
    "InscriptionCorrigee": inscription_corrigee,
    "MissionLocaleChangee": mission_locale_changee,
}
