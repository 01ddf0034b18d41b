"""The Foquale / MLDS network's view: the solutions it proposed, and which are in progress."""
from __future__ import annotations

from sqlalchemy import Column, Connection, Date, Index, Integer, MetaData, String, Table, func, select

from .lot import Lot

NAME = "foquale"


def define(md: MetaData, suffix: str) -> dict[str, Table]:
    return {"solutions": Table(
        f"vue_foquale_solutions{suffix}", md,
        Column("parcours_id", String(36), primary_key=True),
        Column("numero", Integer, primary_key=True, autoincrement=False),
        Column("solution_id", String(100), primary_key=True),
        Column("emetteur", String(100), nullable=False, index=True),  # foquale:<code>
        Column("cle", String(64), nullable=False),
        Column("uai", String(8), nullable=False),
        Column("solution", String(40), nullable=False),
        Column("proposee_le", Date, nullable=False),
        Column("demarree_le", Date),
        Column("parcours_etat", String(10), nullable=False),
        # a page of an issuer's solutions read in its order, not sorted per request
        Index(f"ix_vue_foquale_solutions{suffix}_liste", "emetteur", "proposee_le", "parcours_id",
              "numero", "solution_id"))}


def apply(conn: Connection, t, name: str, meta: dict, rec: dict, lot: Lot) -> None:
    s, pid, numero = t.solutions, str(meta["parcours_id"]), int(meta.get("numero") or 1)
    if name == "SolutionProposee":  # a solution proposed again is replaced
        lot.poser(s, dict(parcours_id=pid, numero=numero, solution_id=rec["solution_id"],
                          emetteur=meta["emetteur"], cle=rec["envelope"]["subject"],
                          uai=meta["uai"], solution=rec["solution"], proposee_le=rec["date"],
                          demarree_le=None, parcours_etat="OUVERT"))
    elif name == "SolutionDemarree":
        row = lot.rangees(s, pid).get((numero, rec["solution_id"]))
        if row is not None:
            lot.poser(s, dict(row, demarree_le=rec["date"]))
    elif name == "ParcoursClos":
        for (n, _), row in list(lot.rangees(s, pid).items()):
            if n == numero:
                lot.poser(s, dict(row, parcours_etat="CLOS"))


def solutions(conn: Connection, t, emetteur: str, limit: int, offset: int,
              statut: str | None = None) -> tuple[int, list[dict]]:
    """`statut`: PROPOSEE (not started yet) or EN_COURS (started, parcours still open)."""
    s = t.solutions
    where = [s.c.emetteur == emetteur]
    if statut == "PROPOSEE":
        where.append(s.c.demarree_le.is_(None))
    elif statut == "EN_COURS":
        where += [s.c.demarree_le.is_not(None), s.c.parcours_etat == "OUVERT"]
    total = conn.execute(select(func.count()).select_from(s).where(*where)).scalar_one()
    rows = conn.execute(select(s).where(*where).order_by(s.c.proposee_le, s.c.parcours_id,
                                                         s.c.numero, s.c.solution_id)
                        .limit(limit).offset(offset)).mappings().all()
    items = []
    for r in rows:
        item = {k: r[k] for k in ("parcours_id", "numero", "cle", "uai", "solution_id", "solution",
                                  "proposee_le", "demarree_le", "parcours_etat")}
        item["statut"] = "PROPOSEE" if r["demarree_le"] is None else (
            "EN_COURS" if r["parcours_etat"] == "OUVERT" else "TERMINEE")
        items.append(item)
    return total, items
