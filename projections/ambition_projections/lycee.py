"""The lycée's view (by UAI): its élèves in the parcours, one row per parcours number (an
élève who re-enrolled elsewhere stays in the first lycée's view with parcours 1).

State, référent, mission locale, days used of the 4 months, share used of the 2/3 allowed in
enterprise periods, rights in force at a reference date (from the start to the closure, as
``ParcoursClos`` says), alerts at that date. Names and disability support
are not here: they are personal and health data, read by the API for the lycée alone from the
encrypted identity (`avec_identite`).
"""
from __future__ import annotations

from datetime import date
from typing import Callable

from sqlalchemy import Connection, Index, MetaData, Table, func, select

from . import suivi
from .generations import suivre
from .lot import Lot
from .tables import colonnes_suivi

NAME = "lycee"


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    nom = f"vue_lycee_eleves{suffix}"
    return {"eleves": Table(nom, md, *colonnes_suivi("solution_demarree_le"),
                            # a page of a lycée's list read in its order, not sorted per request
                            Index(f"ix_{nom}_liste", "uai", "date_debut", "parcours_id", "numero"))}


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    suivre(lot, t.eleves, name, meta, rec)


def presenter(s: dict, as_of: date) -> dict:
    """One élève as the lycée sees it at `as_of` (computed figures, no stored personal data)."""
    cloture = s.get("droits_jusqu_au")
    return {
        "parcours_id": s["parcours_id"], "cle": s["cle"], "numero": s["numero"], "etat": s["etat"],
        "diplome": s["diplome"], "specialite": s["specialite"], "referent": s["referent"],
        "mission_locale": s["mission_locale"], "conseiller": s["conseiller"],
        "date_debut": s["date_debut"], "date_fin_prevue": s["date_fin_prevue"],
        "date_accueil": s["date_accueil"], "date_cloture": s["date_cloture"], "issue": s["issue"],
        "jours_utilises": suivi.jours_utilises(s, as_of), "jours_total": suivi.duree(s),
        "jours_pfmp": suivi.jours_en_entreprise(s), "part_pfmp_utilisee": suivi.part_pfmp(s),
        "depassement_deux_tiers": bool(s.get("depassement_deux_tiers")),
        "pacea": s["pacea"],
        "droits": suivi.droits_le(s, as_of), "droits_jusqu_au": cloture,
        "statut_structure_accueil": bool(s.get("statut_structure_accueil")) and cloture is not None
        and as_of > cloture,
        "alertes": suivi.alertes(s, as_of),
    }


def eleves(conn: Connection, t, uai: str, as_of: date, limit: int, offset: int,
           etat: str | None = None, alerte: str | None = None) -> tuple[int, list[dict]]:
    e = t.eleves
    where = [e.c.uai == uai] + ([e.c.etat == etat] if etat else [])
    query = select(e).where(*where).order_by(e.c.date_debut, e.c.parcours_id, e.c.numero)
    if alerte:  # alerts depend on as_of: filter after computing them
        items = [presenter(dict(r), as_of) for r in conn.execute(query).mappings()]
        items = [i for i in items if alerte in i["alertes"]]
        return len(items), items[offset:offset + limit]
    total = conn.execute(select(func.count()).select_from(e).where(*where)).scalar_one()
    rows = conn.execute(query.limit(limit).offset(offset)).mappings().all()
    return total, [presenter(dict(r), as_of) for r in rows]


EFFACEE = "identité effacée"


def avec_identite(items: list[dict], identite: Callable[[str], dict | None]) -> list[dict]:
    """Add the élève's name and disability support (for the lycée only). An erased identity
    (right to erasure) shows as null, and ``identite`` says "identité effacée"."""
    for item in items:
        ident = identite(item["cle"]) or {}
        item["identite"] = "disponible" if ident else EFFACEE
        item["nom"], item["prenom"] = ident.get("nom"), ident.get("prenom")
        handicap = ident.get("accompagnement_handicap")
        item["droits"]["accompagnement_handicap"] = (bool(handicap) and item["droits"]["statut_scolaire"]
                                                     if ident else None)
    return items
