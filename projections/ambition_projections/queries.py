"""Read queries over the views, shared by the HTTP API and the tools."""
from __future__ import annotations

from sqlalchemy import Connection, func, select

from .tables import parcours as p
from .tables import refus as r


def synthese(conn: Connection) -> dict:
    entrees = conn.execute(select(func.count()).select_from(p)).scalar_one()
    ouverts = conn.execute(select(func.count()).select_from(p).where(p.c.etat == "OUVERT")).scalar_one()
    issues = dict(conn.execute(select(p.c.issue, func.count()).where(p.c.issue.is_not(None))
                               .group_by(p.c.issue)).all())
    refus = dict(conn.execute(select(r.c.reason, func.count()).group_by(r.c.reason)).all())
    return {"entrees": entrees, "parcours_ouverts": ouverts, "issues": issues, "refus": refus}


def eleves_du_lycee(conn: Connection, uai: str, limit: int, offset: int) -> tuple[int, list[dict]]:
    total = conn.execute(select(func.count()).select_from(p).where(p.c.uai == uai)).scalar_one()
    rows = conn.execute(
        select(p.c.cle, p.c.etat, p.c.diplome, p.c.specialite, p.c.referent, p.c.mission_locale,
               p.c.date_debut, p.c.date_fin_prevue, p.c.jours_pfmp, p.c.issue,
               p.c.statut_scolaire, p.c.boursier, p.c.interne, p.c.fonds_sociaux)
        .where(p.c.uai == uai).order_by(p.c.date_debut, p.c.cle).limit(limit).offset(offset)
    ).mappings().all()
    return total, [dict(row) for row in rows]
