"""One parcours's timeline, for every actor of that parcours: its lycée, its mission locale,
the Foquale/MLDS networks that acted on it, the PSAD of its territory.

Domain events carry no INE, name, birth date nor health data, so neither does the timeline.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (JSON, Column, Connection, Date, DateTime, Integer, MetaData, String, Table,
                        select)

from .generations import ecrire
from .territoires import territoire

NAME = "chronologie"
DATES = ("date", "date_debut", "date_signature", "date_effet", "date_fin")


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    return {
        "evenements": Table(
            f"vue_chronologie{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("type", String(60), nullable=False),
            Column("date", Date),  # the fact's own date
            Column("enregistre_le", DateTime(timezone=True), nullable=False),
            Column("emetteur", String(100), nullable=False),
            Column("details", JSON, nullable=False)),
        "acteurs": Table(
            f"vue_chronologie_acteurs{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("uai", String(8), nullable=False),
            Column("mission_locale", String(14)),
            Column("territoire", String(60), nullable=False),
            Column("foquale", JSON, nullable=False)),  # foquale:<code> ids that acted on it
    }


def _json(value):
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def apply(conn: Connection, t, name: str, meta: dict, rec: dict) -> None:
    pid, emetteur = str(meta["parcours_id"]), meta["emetteur"]
    details = {k: _json(v) for k, v in rec.items() if k not in ("envelope", "parcours")}
    ecrire(conn, t.evenements, existants=False, rows=[dict(
        parcours_id=pid, version=int(meta["version"]), type=name,
        date=next((rec[k] for k in DATES if isinstance(rec.get(k), date)), None),
        enregistre_le=rec["envelope"]["time"], emetteur=emetteur, details=details)])
    a = t.acteurs
    row = conn.execute(select(a.c.foquale).where(a.c.parcours_id == pid)).first()
    foquale = list(row.foquale) if row else []
    if emetteur.startswith("foquale:") and emetteur not in foquale:
        foquale.append(emetteur)
    ecrire(conn, a, [dict(parcours_id=pid, uai=meta["uai"], mission_locale=meta.get("mission_locale"),
                          territoire=territoire(meta["uai"]), foquale=foquale)], existants=row is not None)


def acteurs(conn: Connection, t, parcours_id: str) -> dict | None:
    row = conn.execute(select(t.acteurs).where(t.acteurs.c.parcours_id == parcours_id)).mappings().first()
    return dict(row) if row else None


def evenements(conn: Connection, t, parcours_id: str, limit: int, offset: int) -> tuple[int, list[dict]]:
    e = t.evenements
    rows = conn.execute(select(e.c.version, e.c.type, e.c.date, e.c.enregistre_le, e.c.emetteur,
                               e.c.details).where(e.c.parcours_id == parcours_id)
                        .order_by(e.c.version)).mappings().all()
    return len(rows), [dict(r) for r in rows[offset:offset + limit]]
