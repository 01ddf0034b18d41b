"""The HTTP read API (FastAPI): each actor's view, health and metrics. Handlers hold no rule."""
from __future__ import annotations

import re
import time

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from ambition import metrics
from ambition.config import Settings
from ambition.sqlstore import read_engine
from ambition_projections import queries
from ambition_projections.runner import create_tables

UAI = re.compile(r"^[0-9]{7}[A-Z]$")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = read_engine(settings)
    create_tables(engine)
    api = FastAPI(title="Ambition Emploi Exchange", version="1",
                  description="Read views of the parcours Ambition Emploi, one per actor.")

    @api.middleware("http")
    async def count(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")  # the template, never the ids in the URL
        metrics.API_REQUESTS.labels(template, str(response.status_code)).inc()
        metrics.API_SECONDS.labels(template).observe(time.perf_counter() - started)
        return response

    @api.get("/health")
    def health() -> dict:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    @api.get("/metrics", include_in_schema=False)
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    @api.get("/v1/psad/synthese")
    def psad_synthese() -> dict:
        """The territory's consolidated figures: entries, open parcours, outcomes, refusals by reason."""
        with engine.connect() as conn:
            return queries.synthese(conn)

    @api.get("/v1/lycees/{uai}/eleves")
    def eleves(uai: str, limit: int = Query(100, ge=1, le=1000), offset: int = Query(0, ge=0)) -> dict:
        """The lycée's élèves in the parcours, by pseudonymous key (never the INE)."""
        if not UAI.match(uai):
            raise HTTPException(422, f"{uai!r} is not a UAI (7 digits and a key letter)")
        with engine.connect() as conn:
            total, items = queries.eleves_du_lycee(conn, uai, limit, offset)
        return {"uai": uai, "total": total, "limit": limit, "offset": offset, "items": items}

    return api
