"""Reading the views: one connection a request, each view at its current generation."""
from __future__ import annotations

from datetime import date
from typing import Iterator

from fastapi import HTTPException, Query, Request
from sqlalchemy import Connection

from ambition.parcours.regles_temps import aujourd_hui
from ambition_projections import generations


class Vues:
    def __init__(self, conn: Connection):
        self.conn = conn
        self.gens = generations.courantes(conn)

    def t(self, vue):
        return generations.tables(vue, self.gens[vue.NAME])


def vues(request: Request) -> Iterator[Vues]:
    with request.app.state.engine.connect() as conn:
        yield Vues(conn)


OFFSET_MAX = 1_000_000_000  # beyond any view; keeps the value inside SQL's integer range


class Page:
    """?limit= and ?offset= of a paginated list."""

    def __init__(self, limit: int = Query(100, ge=1, le=1000, description="items per page"),
                 offset: int = Query(0, ge=0, le=OFFSET_MAX, description="items to skip")):
        self.limit, self.offset = limit, offset

    def __call__(self, total: int, items: list, **extra) -> dict:
        return {**extra, "total": total, "limit": self.limit, "offset": self.offset, "items": items}


def as_of_param(as_of: date | None = Query(None, description="reference date of the alerts, "
                                           "YYYY-MM-DD (default: today in Europe/Paris)")) -> date:
    return as_of or aujourd_hui()


def introuvable(what: str) -> HTTPException:
    return HTTPException(404, what)
