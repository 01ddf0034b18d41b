"""Reads of personal data, traced: every answer of a route that returns élèves' data records,
per parcours it holds, who read it, which route, when. The record holds no personal data (the
actor's id, a pseudonymous parcours id, a route template). The data protection officer
(``dpo:`` token) queries it: ``GET /v1/dpo/lectures``."""
from __future__ import annotations

import json
from datetime import datetime, timezone

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy import (Column, DateTime, Engine, Integer, MetaData, String, Table, func, insert,
                        select)

from ambition import metrics

from .acces import Acteur, acteur, interdit
from .lecture import Page

#: The routes whose answers hold élèves' data (names, health data, or one young person's facts).
PERSONNELLES = {
    "/v1/lycees/{uai}/eleves", "/v1/missions-locales/{siret}/jeunes",
    "/v1/missions-locales/{siret}/bilans-dus", "/v1/missions-locales/{siret}/activites",
    "/v1/missions-locales/{siret}/stages", "/v1/foquale/{code}/solutions",
    "/v1/parcours/{parcours_id}/chronologie", "/v1/psad/a-risque",
}

_meta = MetaData()
lectures = Table(
    "journal_lectures", _meta,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False, index=True),
    Column("acteur", String(100), nullable=False, index=True),
    Column("parcours_id", String(36), nullable=False, index=True),
    Column("route", String(200), nullable=False),
)
router = APIRouter()


def preparer(engine: Engine) -> None:
    _meta.create_all(engine)


def parcours_de(body: bytes) -> list[str]:
    """The parcours ids an answer holds (its items', or its own)."""
    try:
        doc = json.loads(body)
    except ValueError:
        return []
    ids = [i["parcours_id"] for i in doc.get("items", []) if isinstance(i, dict) and i.get("parcours_id")]
    if doc.get("parcours_id"):
        ids.append(doc["parcours_id"])
    return sorted(set(map(str, ids)))


def tracer(engine: Engine, acteur_id: str, route: str, pids: list[str]) -> None:
    if not pids:
        return
    at = datetime.now(timezone.utc)
    with engine.begin() as conn:
        conn.execute(insert(lectures), [dict(at=at, acteur=acteur_id, parcours_id=p, route=route) for p in pids])
    metrics.PERSONAL_READS.labels(route).inc(len(pids))


@router.get("/v1/dpo/lectures", tags=["DPO"])
def journal(request: Request, parcours_id: str | None = None, acteur_id: str | None = Query(None, alias="acteur"),
            depuis: datetime | None = Query(None, description="ISO 8601 instant"),
            a: Acteur = Depends(acteur), page: Page = Depends()) -> dict:
    """Who read which parcours's data, through which route, when (data protection officer only)."""
    if a.type != "dpo":
        raise interdit(f"{a.id} is not a data protection officer")
    where = []
    if parcours_id:
        where.append(lectures.c.parcours_id == parcours_id)
    if acteur_id:
        where.append(lectures.c.acteur == acteur_id)
    if depuis:
        where.append(lectures.c.at >= depuis)
    with request.app.state.engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(lectures).where(*where)).scalar_one()
        rows = conn.execute(select(lectures).where(*where).order_by(lectures.c.id)
                            .limit(page.limit).offset(page.offset)).mappings().all()
    items = [{"at": r["at"].isoformat(), "acteur": r["acteur"], "parcours_id": r["parcours_id"],
              "route": r["route"]} for r in rows]
    return page(total, items)
