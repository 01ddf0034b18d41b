"""One parcours's timeline, for every actor of that parcours: its lycée, its mission locale,
the Foquale/MLDS networks that acted on it, the PSAD of its territory. Each parcours number has
its own actors (a second parcours at another lycée is not the first lycée's to read); a mission
locale the young person moved away from keeps the part of the timeline it took part in.

Domain events carry no INE, name, birth date nor health data, so neither does the timeline.
"""
from __future__ import annotations

from datetime import date

from sqlalchemy import (JSON, Column, Connection, Date, DateTime, Integer, MetaData, String, Table,
                        select)

from .lot import Lot

NAME = "chronologie"
DATES = ("date", "date_debut", "date_signature", "date_effet", "date_fin")


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    return {
        "evenements": Table(
            f"vue_chronologie{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("version", Integer, primary_key=True),
            Column("numero", Integer, nullable=False),
            Column("type", String(60), nullable=False),
            Column("date", Date),  # the fact's own date
            Column("enregistre_le", DateTime(timezone=True), nullable=False),
            Column("emetteur", String(100), nullable=False),
            Column("details", JSON, nullable=False)),
        "acteurs": Table(
            f"vue_chronologie_acteurs{suffix}", md,
            Column("parcours_id", String(36), primary_key=True),
            Column("numero", Integer, primary_key=True, autoincrement=False),
            Column("uai", String(8), nullable=False),
            Column("mission_locale", String(14)),
            # SIRET -> last version it may read (null: the current one), every ML that took part
            Column("missions_locales", JSON, nullable=False),
            Column("territoire", String(60), nullable=False),
            Column("foquale", JSON, nullable=False)),  # foquale:<code> ids that acted on it
    }


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    pid, emetteur = str(meta["parcours_id"]), meta["emetteur"]
    numero, version = int(meta.get("numero") or 1), int(meta["version"])
    details = {k: v.isoformat() if isinstance(v, date) else v for k, v in rec.items()
               if k != "envelope" and k != "parcours"}  # a datetime is a date too
    jour = None
    for k in DATES:
        if isinstance(v := rec.get(k), date):
            jour = v
            break
    lot.ajouter(t.evenements, dict(
        parcours_id=pid, version=version, numero=numero, type=name, date=jour,
        enregistre_le=rec["envelope"]["time"], emetteur=emetteur, details=details))
    row = lot.rangees(t.acteurs, pid).get(numero)
    foquale = list(row["foquale"]) if row else []
    if emetteur.startswith("foquale:") and emetteur not in foquale:
        foquale.append(emetteur)
    mls = dict(row["missions_locales"]) if row else {}
    ml = meta.get("mission_locale") or (row["mission_locale"] if row else None)
    if name == "MissionLocaleChangee" and rec.get("ancienne_mission_locale"):
        mls[rec["ancienne_mission_locale"]] = version
    if ml:
        mls[ml] = None
    lot.poser(t.acteurs, dict(parcours_id=pid, numero=numero, uai=row["uai"] if row else meta["uai"],
                              mission_locale=ml, missions_locales=mls,
                              territoire=lot.carte(row["uai"] if row else meta["uai"]),
                              foquale=foquale))


def acteurs(conn: Connection, t, parcours_id: str) -> list[dict]:
    """The actors of each number of this parcours (empty: no such parcours)."""
    a = t.acteurs
    return [dict(r) for r in conn.execute(select(a).where(a.c.parcours_id == parcours_id)
                                          .order_by(a.c.numero)).mappings()]


def evenements(conn: Connection, t, parcours_id: str, limit: int, offset: int,
               lisibles: dict[int, int | None] | None = None) -> tuple[int, list[dict]]:
    """The events of the numbers in `lisibles` (number -> last version readable, None: all)."""
    e = t.evenements
    rows = conn.execute(select(e.c.version, e.c.numero, e.c.type, e.c.date, e.c.enregistre_le,
                               e.c.emetteur, e.c.details).where(e.c.parcours_id == parcours_id)
                        .order_by(e.c.version)).mappings().all()
    if lisibles is not None:
        rows = [r for r in rows if r["numero"] in lisibles
                and (lisibles[r["numero"]] is None or r["version"] <= lisibles[r["numero"]])]
    return len(rows), [dict(r) for r in rows[offset:offset + limit]]
