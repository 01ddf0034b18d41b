"""The HTTP read API (FastAPI): each actor's view, health and metrics. Handlers hold no rule.

Every /v1 route needs the caller's bearer token (`jetons`); /health, /metrics, the OpenAPI
document and the dashboard page (which holds no data) are open.
"""
from __future__ import annotations

import time
from functools import lru_cache

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from ambition import metrics
from ambition.config import Settings
from ambition.contracts import http as catalogue_http
from ambition.sqlstore import read_engine
from ambition_projections.runner import create_tables

from . import psad, vues
from .jetons import Jetons


def create_app(settings: Settings | None = None, jetons: Jetons | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = read_engine(settings)
    create_tables(engine)
    api = FastAPI(title="Ambition Emploi Exchange", version="1",
                  description="Read views of the parcours Ambition Emploi, one per actor. Each actor "
                              "authenticates with its own bearer token and reads its own rows only.")
    api.state.engine = engine
    api.state.jetons = jetons or Jetons.load(settings)

    @lru_cache(maxsize=1)
    def parcours_app():
        from ambition.parcours import make_app

        return make_app(settings)

    api.state.identite = lambda cle: parcours_app().identite(cle)  # for the lycée only

    @api.middleware("http")
    async def count(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        if request.url.path.startswith("/v1/") and not request.url.path.startswith("/v1/catalogue"):
            # answers carry personal data or an actor's own rows: never kept by a cache
            response.headers["Cache-Control"] = "no-store"
        route = request.scope.get("route")
        template = getattr(route, "path", "unmatched")  # the template, never the ids in the URL
        metrics.API_REQUESTS.labels(template, str(response.status_code)).inc()
        metrics.API_SECONDS.labels(template).observe(time.perf_counter() - started)
        return response

    @api.get("/health", tags=["ops"])
    def health() -> dict:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return {"status": "ok"}

    @api.get("/metrics", include_in_schema=False)
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    api.include_router(vues.router)
    api.include_router(psad.router)
    api.include_router(catalogue_http.router)  # the published event catalogue: open to partners
    return api
