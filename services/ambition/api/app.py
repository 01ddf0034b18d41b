"""The HTTP read API (FastAPI): each actor's view, health and metrics. Handlers hold no rule.

Every /v1 route needs the caller's bearer token (`jetons`); /health, /metrics, the OpenAPI
document and the dashboard page (which holds no data) are open.
"""
from __future__ import annotations

import time
from functools import lru_cache
from uuid import UUID

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text

from ambition import metrics
from ambition.config import Settings
from ambition.reconnect import unavailable
from ambition.contracts import http as catalogue_http
from ambition.sqlstore import read_engine
from ambition_projections.runner import create_tables

from . import bac_a_sable, flux, journal, partenaires, psad, vues
from .debit import Debit
from .jetons import Jetons

RETRY_AFTER_INDISPONIBLE = 2  # seconds: a store restarting is usually back within a few


def create_app(settings: Settings | None = None, jetons: Jetons | None = None) -> FastAPI:
    settings = settings or Settings()
    engine = read_engine(settings)
    create_tables(engine)
    api = FastAPI(title="Ambition Emploi Exchange", version="1",
                  description="Read views of the parcours Ambition Emploi, one per actor. Each actor "
                              "authenticates with its own bearer token and reads its own rows only.")
    api.state.engine = engine
    api.state.settings = settings
    api.state.jetons = jetons or Jetons.load(settings)
    api.state.debit = Debit(settings.api_rate_limit)

    @lru_cache(maxsize=1)
    def parcours_app():
        from ambition.bootstrap import make_app

        return make_app(settings)

    api.state.identite = lambda cle: parcours_app().identite(cle)  # for the lycée only
    api.state.parcours_app = parcours_app

    @lru_cache(maxsize=1)
    def registry():
        from ambition.contracts.codec import Registry

        return Registry.load(settings.schemas_dir)

    api.state.registry = registry

    @lru_cache(maxsize=1)
    def event_engine():
        """The event store's database: the receipts live there, written with the decisions."""
        from ambition.accuses import registre
        from ambition.sqlstore import make_engine, sqlalchemy_url

        e = make_engine(sqlalchemy_url(settings.event_store, settings.var_dir / "event-store.sqlite"))
        registre.creer(e)
        return e

    api.state.event_engine = event_engine
    api.state.oublier = lambda pid: parcours_app().oublier_parcours(UUID(pid))  # lycée, DPO

    journal.preparer(engine)

    async def magasin_absent(request: Request, exc: Exception):
        """A store that does not answer (PostgreSQL restarting, its pool reconnecting) is a
        503 with Retry-After, which clients wait out, not a 500; any other error stays one."""
        if not unavailable(exc):
            raise exc
        return JSONResponse({"detail": "a store of the platform does not answer for now: retry "
                                       "after the delay given"},
                            status_code=503, headers={"Retry-After": str(RETRY_AFTER_INDISPONIBLE)})

    for erreur in (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError,
                   psycopg.OperationalError, psycopg.InterfaceError,
                   persistence.OperationalError, persistence.InterfaceError):
        api.add_exception_handler(erreur, magasin_absent)

    @api.middleware("http")
    async def count(request: Request, call_next):
        started = time.perf_counter()
        response = await call_next(request)
        template = getattr(request.scope.get("route"), "path", "unmatched")
        if response.status_code == 200 and template in journal.PERSONNELLES:
            body = b"".join([chunk async for chunk in response.body_iterator])
            await run_in_threadpool(journal.tracer, engine, getattr(request.state, "acteur", "?"),
                                    template, journal.parcours_de(body))
            response = Response(body, response.status_code, dict(response.headers), response.media_type)
        if request.url.path.startswith("/v1/") and not request.url.path.startswith(("/v1/catalogue",
                                                                                  "/v1/cle-publique")):
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

    @api.get("/v1/cle-publique", tags=["catalogue"],
             summary="The platform's public key: partners seal identities to it (docs/contrats.md)")
    def cle_publique() -> dict:
        return {"algorithme": "HPKE RFC 9180 base: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM",
                "info": "ambition-identite-v1|<partner id>", "cle_publique": settings.identity_public_key}

    @api.get("/metrics", include_in_schema=False)
    def prometheus() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    api.include_router(vues.router)
    api.include_router(psad.router)
    api.include_router(partenaires.router)
    api.include_router(flux.router)
    api.include_router(bac_a_sable.router)
    api.include_router(journal.router)
    api.include_router(catalogue_http.router)  # the published event catalogue: open to partners
    return api
