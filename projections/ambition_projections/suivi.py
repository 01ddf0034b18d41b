"""The follow-up of one parcours, folded from its domain events: pure functions, no SQL.

The lycée, mission-locale and PSAD views each keep the part of this state they need.
Dates of activities and periods are kept (ISO strings, in event order) so that alerts can be
computed for any reference date from the events' own dates, not from the time of projection.
"""
from __future__ import annotations

from datetime import date

#: Domain events that count as an activity of the young person, and the field holding its date.
ACTIVITES = {"ActiviteLyceeRealisee": "date", "ActiviteMissionLocaleRealisee": "date",
             "PositionnementRealise": "date", "SolutionProposee": "date",
             "SolutionDemarree": "date", "PaceaSigne": "date_signature", "AccueilRealise": "date"}
PERIODES = {"PfmpDebutee": "PFMP", "StageDebute": None}  # None: the event's own `nature`
FINS_DE_PERIODE = ("PfmpTerminee", "StageTermine")

SANS_ACTIVITE_21J = "SANS_ACTIVITE_21J"
FIN_SOUS_15J = "FIN_SOUS_15J"
SANS_ACCUEIL_10J = "SANS_ACCUEIL_10J"


def ouvrir(s: dict | None, meta: dict, rec: dict) -> dict:
    """EleveInscrit: a new parcours, or the next one of the same élève after a closure."""
    return dict(
        parcours_id=str(meta["parcours_id"]), cle=rec["envelope"]["subject"],
        numero=(s["numero"] + 1) if s else 1, etat="OUVERT", uai=meta["uai"],
        mission_locale=None, conseiller=None, referent=rec.get("referent"),
        diplome=rec.get("diplome"), specialite=rec.get("specialite"),
        date_debut=rec["date_debut"], date_fin_prevue=rec["date_fin_prevue"], date_accueil=None,
        date_cloture=None, issue=None, boursier=rec.get("boursier"), interne=rec.get("interne"),
        fonds_sociaux=rec.get("fonds_sociaux"), statut_scolaire=True, pacea=False,
        solution_demarree_le=None, activites=[], periodes={},
    )


def evoluer(s: dict | None, name: str, meta: dict, rec: dict) -> dict | None:
    """The state after one domain event (a new dict; `s` is not modified)."""
    if name == "EleveInscrit":
        return ouvrir(s, meta, rec)
    if s is None:  # an event of a parcours never enrolled: nothing to follow
        return None
    s = dict(s, activites=list(s.get("activites") or []), periodes=dict(s.get("periodes") or {}))
    if name in ACTIVITES:
        s["activites"].append(rec[ACTIVITES[name]].isoformat())
    if name == "ReferentChange":
        s["referent"] = rec["referent"]
    elif name == "AccueilRealise":
        s.update(mission_locale=rec["siret"], conseiller=rec["conseiller"],
                 date_accueil=s.get("date_accueil") or rec["date"])
    elif name == "PaceaSigne":
        s["pacea"] = True
    elif name == "PaceaTermine":
        s["pacea"] = False
    elif name == "SolutionDemarree":
        s["solution_demarree_le"] = s.get("solution_demarree_le") or rec["date"]
    elif name in PERIODES:
        s["periodes"][rec["periode_id"]] = {
            "nature": PERIODES[name] or rec["nature"], "siret": rec["siret"],
            "debut": rec["date_debut"].isoformat(), "fin": rec["date_fin_prevue"].isoformat(),
            "terminee": False}
    elif name in FINS_DE_PERIODE and rec["periode_id"] in s["periodes"]:
        s["periodes"][rec["periode_id"]] = dict(s["periodes"][rec["periode_id"]],
                                                fin=rec["date_fin"].isoformat(), terminee=True)
    elif name == "ParcoursClos":
        s.update(etat="CLOS", issue=rec["issue"], date_cloture=rec["date"],
                 statut_scolaire=rec["issue"] != "PARCOURS_INSERTION")
    elif name == "IssueCorrigee":
        s.update(issue=rec["issue"], statut_scolaire=rec["issue"] != "PARCOURS_INSERTION")
    if meta.get("mission_locale"):
        s["mission_locale"] = meta["mission_locale"]
    return s


# -- what the views compute for a reference date ------------------------------------------

def _d(iso: str) -> date:
    return date.fromisoformat(iso)


def jours_en_entreprise(s: dict) -> int:
    """Inclusive days of PFMP, stage and immersion periods (planned end until ended): the 2/3 rule's count."""
    return sum((_d(p["fin"]) - _d(p["debut"])).days + 1 for p in (s.get("periodes") or {}).values())


def duree(s: dict) -> int:
    return (s["date_fin_prevue"] - s["date_debut"]).days + 1


def jours_utilises(s: dict, as_of: date) -> int:
    """Days of the 4 months used at `as_of` (inclusive), stopping at the closure or planned end."""
    fin = min(d for d in (as_of, s["date_fin_prevue"], s.get("date_cloture")) if d is not None)
    return max(0, (fin - s["date_debut"]).days + 1)


def part_pfmp(s: dict) -> float:
    """Share used of the 2/3 allowed in enterprise periods (1.0 = the whole allowance)."""
    plafond = duree(s) * 2 / 3
    return round(jours_en_entreprise(s) / plafond, 3) if plafond > 0 else 0.0


def ouvert_le(s: dict, as_of: date) -> bool:
    cloture = s.get("date_cloture")
    return s["date_debut"] <= as_of and (cloture is None or cloture > as_of)


def derniere_activite(s: dict, as_of: date) -> date | None:
    """Latest activity dated on or before `as_of`; a period in progress counts as activity."""
    jour = as_of.isoformat()
    dates = [d for d in (s.get("activites") or []) if d <= jour]
    for p in (s.get("periodes") or {}).values():
        if p["debut"] <= jour:
            dates.append(min(p["fin"], jour))
    return _d(max(dates)) if dates else None


def alertes(s: dict, as_of: date) -> list[str]:
    """Alert flags of an open parcours at `as_of`: no activity for 21 days (since entry when none),
    planned end in under 15 days (or passed without a closure), no accueil 10 days after entry."""
    if not ouvert_le(s, as_of):
        return []
    out = []
    if (as_of - (derniere_activite(s, as_of) or s["date_debut"])).days >= 21:
        out.append(SANS_ACTIVITE_21J)
    if (s["date_fin_prevue"] - as_of).days < 15:
        out.append(FIN_SOUS_15J)
    accueil = s.get("date_accueil")
    if (accueil is None or accueil > as_of) and (as_of - s["date_debut"]).days >= 10:
        out.append(SANS_ACCUEIL_10J)
    return out
