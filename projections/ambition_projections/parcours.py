"""Projection of the domain events onto `vue_parcours`: one row per parcours.

Exactly once: a row remembers the last aggregate version applied; an event whose version is
not newer is a redelivery and changes nothing. The version check and the row update happen in
the caller's transaction, together with the effect.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import Connection, insert, select, update

from .tables import parcours as t

NAME = "parcours"

ACTIVITES = {"ActiviteLyceeRealisee", "ActiviteMissionLocaleRealisee", "PositionnementRealise",
             "SolutionProposee", "SolutionDemarree", "PaceaSigne"}


def _jours(debut: date, fin: date) -> int:
    return (fin - debut).days + 1


def _latest(*dates: date | None) -> date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


def apply(conn: Connection, name: str, meta: dict, fields: dict) -> bool:
    """Apply one domain event; returns False when it was already applied (a redelivery)."""
    pid, version = str(meta["parcours_id"]), int(meta["version"])
    row = conn.execute(select(t.c.version, t.c.date_derniere_activite, t.c.jours_pfmp)
                       .where(t.c.parcours_id == pid)).first()
    if name == "EleveInscrit":
        if row is not None and row.version >= version:
            return False
        values = dict(
            cle=fields["envelope"]["subject"], version=version, numero=fields.get("numero") or 1,
            etat="OUVERT", uai=meta["uai"], diplome=fields.get("diplome"),
            specialite=fields.get("specialite"), referent=fields.get("referent"),
            mission_locale=None, conseiller=None, date_accueil=None, date_derniere_activite=None,
            date_debut=fields.get("date_debut"), date_fin_prevue=fields.get("date_fin_prevue"),
            jours_pfmp=0, pacea=False, issue=None, date_cloture=None,
            boursier=fields.get("boursier"), interne=fields.get("interne"),
            fonds_sociaux=fields.get("fonds_sociaux"), statut_scolaire=True,
        )
        if row is None:
            conn.execute(insert(t).values(parcours_id=pid, **values))
        else:  # a new parcours of the same élève after an earlier one closed
            conn.execute(update(t).where(t.c.parcours_id == pid).values(**values))
        return True
    if row is None or row.version >= version:
        return False
    values: dict = {"version": version}
    if name == "ReferentChange":
        values["referent"] = fields["referent"]
    elif name == "AccueilRealise":
        values.update(mission_locale=fields["siret"], conseiller=fields["conseiller"],
                      date_accueil=fields["date"])
    elif name in ACTIVITES:
        d = fields.get("date") or fields.get("date_signature")
        values["date_derniere_activite"] = _latest(row.date_derniere_activite, d)
        if name == "PaceaSigne":
            values["pacea"] = True
    elif name == "PaceaTermine":
        values["pacea"] = False
    elif name in {"PfmpDebutee", "StageDebute"}:
        values["jours_pfmp"] = (row.jours_pfmp or 0) + _jours(fields["date_debut"], fields["date_fin_prevue"])
        values["date_derniere_activite"] = _latest(row.date_derniere_activite, fields["date_debut"])
    elif name == "ParcoursClos":
        values.update(etat="CLOS", issue=fields.get("issue"), date_cloture=fields.get("date"))
        if fields.get("issue") == "PARCOURS_INSERTION":
            values["statut_scolaire"] = False
    elif name == "IssueCorrigee":
        values["issue"] = fields.get("issue")
        values["statut_scolaire"] = fields.get("issue") != "PARCOURS_INSERTION"
    conn.execute(update(t).where(t.c.parcours_id == pid).values(**values))
    return True
