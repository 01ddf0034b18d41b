"""The follow-up of one parcours, folded from its domain events: pure functions, no SQL.

The lycée, mission-locale and PSAD views each keep the part of this state they need, one row
per parcours number. Dates of activities and periods are kept (ISO strings, in event order) so
that alerts can be computed for any reference date from the events' own dates, not from the
time of projection. What the domain decides (days in enterprise, until when the rights run,
the status after the outcome) is read from the events, not recomputed here.
"""
from __future__ import annotations

from datetime import date, timedelta

from ambition.parcours import droits

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
    """EleveInscrit: parcours ``meta["numero"]`` of the élève opens; ``s`` is the élève's
    previous parcours, if any: a PACEA still running goes on (the mission locale's contract
    outlives a closure and a re-entry)."""
    return dict(
        parcours_id=str(meta["parcours_id"]), cle=rec["envelope"]["subject"],
        numero=meta.get("numero") or ((s["numero"] + 1) if s else 1), etat="OUVERT",
        uai=meta["uai"],
        mission_locale=None, conseiller=None, referent=rec.get("referent"),
        diplome=rec.get("diplome"), specialite=rec.get("specialite"),
        date_debut=rec["date_debut"], date_fin_prevue=rec["date_fin_prevue"], date_accueil=None,
        date_cloture=None, issue=None, boursier=rec.get("boursier"), interne=rec.get("interne"),
        fonds_sociaux=rec.get("fonds_sociaux"), statut_scolaire=True,
        pacea=bool(s and s.get("pacea")),
        solution_demarree_le=None, activites=[], periodes={}, droits_jusqu_au=None,
        statut_structure_accueil=False, jours_pfmp=None, depassement_deux_tiers=False,
    )


def cle_periode(meta: dict, rec: dict) -> str:
    """Period ids belong to their emitter (as in the domain)."""
    return f"{meta['emetteur']}/{rec['periode_id']}"


def evoluer(s: dict | None, name: str, meta: dict, rec: dict) -> dict | None:
    """The state after one domain event (a new dict; `s` is not modified)."""
    if name == "EleveInscrit":
        return ouvrir(s, meta, rec)
    if s is None:  # an event of a parcours never enrolled: nothing to follow
        return None
    s = dict(s, activites=list(s.get("activites") or []), periodes=dict(s.get("periodes") or {}))
    if name in ACTIVITES:
        s["activites"].append(rec[ACTIVITES[name]].isoformat())
    if rec.get("jours_en_entreprise") is not None:
        s["jours_pfmp"] = rec["jours_en_entreprise"]
    if name == "ReferentChange":
        s["referent"] = rec["referent"]
    elif name == "InscriptionCorrigee":
        s.update({k: rec[k] for k in ("date_fin_prevue", "referent", "boursier", "interne",
                                      "fonds_sociaux")})
    elif name == "MissionLocaleChangee":
        s.update(mission_locale=rec["siret"], conseiller=None, date_accueil=None)
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
        s["periodes"][cle_periode(meta, rec)] = {
            "nature": PERIODES[name] or rec["nature"], "siret": rec["siret"],
            "debut": rec["date_debut"].isoformat(), "fin": rec["date_fin_prevue"].isoformat(),
            "terminee": False}
    elif name in FINS_DE_PERIODE and cle_periode(meta, rec) in s["periodes"]:
        s["periodes"][cle_periode(meta, rec)] = dict(s["periodes"][cle_periode(meta, rec)],
                                                     fin=rec["date_fin"].isoformat(), terminee=True)
    elif name == "ParcoursClos":
        for cle in rec.get("periodes_terminees") or ():
            if cle in s["periodes"]:
                p = s["periodes"][cle]
                s["periodes"][cle] = dict(p, fin=min(p["fin"], rec["date"].isoformat()))
        s.update(etat="CLOS", issue=rec["issue"], date_cloture=rec["date"],
                 droits_jusqu_au=rec.get("droits_jusqu_au") or rec["date"],
                 statut_scolaire=rec["statut_scolaire_conserve"],
                 statut_structure_accueil=bool(rec.get("statut_structure_accueil")),
                 depassement_deux_tiers=bool(rec.get("depassement_deux_tiers")))
    elif name == "IssueCorrigee":
        s.update(issue=rec["issue"], statut_scolaire=rec["statut_scolaire_conserve"],
                 statut_structure_accueil=bool(rec.get("statut_structure_accueil")))
    if name in (*PERIODES, *FINS_DE_PERIODE) and s.get("date_cloture") is not None:
        # a late period (dated before the closure, decided after it): the days the event
        # carries may now pass 2/3 of the actual duration, or no longer do
        s["depassement_deux_tiers"] = droits.depassement_deux_tiers(
            jours_en_entreprise(s), s["date_debut"], s["date_cloture"])
    if meta.get("mission_locale"):
        s["mission_locale"] = meta["mission_locale"]
    return s


def evoluer_eleve(rangees: dict[int, dict], name: str, meta: dict, rec: dict) -> dict[int, dict]:
    """The rows of one élève (by parcours number) after one domain event: those that changed.

    The event evolves its own parcours's row; a re-entry opens from the latest earlier parcours;
    the end of a PACEA, which goes on across closure and re-entry, shows in every parcours it
    ran through."""
    numero = int(meta.get("numero") or 1)
    s = rangees.get(numero)
    if name == "EleveInscrit":
        s = max(((n, r) for n, r in rangees.items() if n < numero), default=(0, None))[1]
    nouveau = evoluer(s, name, meta, rec)
    changes = {} if nouveau is None else {numero: nouveau}
    if name == "PaceaTermine":
        changes.update({n: dict(r, pacea=False) for n, r in rangees.items()
                        if n != numero and r.get("pacea")})
    return changes


# -- what the views compute for a reference date ------------------------------------------

def _d(iso: str) -> date:
    return date.fromisoformat(iso)


def jours_en_entreprise(s: dict) -> int:
    """Days of PFMP, stage and immersion (planned end until ended, clipped to the closure): the
    2/3 rule's count, as the domain's events carry it (computed here only for events stored
    before they did)."""
    if s.get("jours_pfmp") is not None:
        return s["jours_pfmp"]
    periodes = [(_d(p["debut"]), _d(p["fin"])) for p in (s.get("periodes") or {}).values()]
    return droits.jours_en_entreprise(periodes, s.get("date_cloture"))


def droits_le(s: dict, as_of: date) -> dict[str, bool]:
    """The rights in force on `as_of`: from the start to `droits_jusqu_au` (ParcoursClos)."""
    return droits.en_vigueur_le(as_of, s["date_debut"], s.get("droits_jusqu_au"),
                                s.get("boursier"), s.get("interne"), s.get("fonds_sociaux"))


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


def dates_d_alerte(s: dict) -> dict[str, date | None]:
    """The day from which each alert holds, precomputed when the events are folded so that a
    reader counts the parcours at risk in SQL (`alerte_le <= as_of`) instead of evaluating
    `alertes` row by row.

    These dates give `alertes` exactly for any reference date on or after ``faits_jusqu_au``
    (the latest day a fact of the parcours is dated: its start, activities, periods' starts,
    the accueil): from then on every fact counts, so each alert, once due, holds until the
    closure (the parcours must still be open: `ouvert_le`). Before that day an alert may have
    come and gone (a gap of 21 days filled by a later activity), and `alertes` is the rule:
    the readers evaluate it for those rows only.

    - ``alerte_activite_le``: 21 days after the latest activity or end of period (the start
      when there is none);
    - ``alerte_fin_le``: 14 days before the planned end (under 15 days left);
    - ``alerte_accueil_le``: 10 days after the start, if no accueil (None once there is one);
    - ``alerte_le``: the earliest of the three (the parcours is at risk from that day).
    """
    debut, accueil = s["date_debut"], s.get("date_accueil")
    activites = [_d(a) for a in s.get("activites") or ()]
    periodes = list((s.get("periodes") or {}).values())
    couverts = activites + [_d(p["fin"]) for p in periodes]
    activite = (max(couverts) if couverts else debut) + timedelta(days=21)
    fin = s["date_fin_prevue"] - timedelta(days=14)
    sans_accueil = debut + timedelta(days=10) if accueil is None else None
    faits = max([debut, *activites, *(_d(p["debut"]) for p in periodes), *([accueil] if accueil else [])])
    return {"alerte_activite_le": activite, "alerte_fin_le": fin, "alerte_accueil_le": sans_accueil,
            "alerte_le": min(d for d in (activite, fin, sans_accueil) if d is not None),
            "faits_jusqu_au": faits}


#: The alerts in `alertes`'s order, with the column of `dates_d_alerte` that makes each due.
DATES_D_ALERTE = ((SANS_ACTIVITE_21J, "alerte_activite_le"), (FIN_SOUS_15J, "alerte_fin_le"),
                  (SANS_ACCUEIL_10J, "alerte_accueil_le"))


def alertes_datees(s: dict, as_of: date) -> list[str]:
    """`alertes` of an open parcours at `as_of` on or after its ``faits_jusqu_au``, read from the
    dates of `dates_d_alerte` (its activities and periods are not needed)."""
    return [nom for nom, col in DATES_D_ALERTE if s[col] is not None and s[col] <= as_of]
