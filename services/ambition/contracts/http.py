"""HTTP routes of the catalogue; the API mounts ``router`` (``app.include_router(router)``)."""
from __future__ import annotations

from functools import lru_cache

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from ambition.config import Settings

from . import catalogue

router = APIRouter(tags=["catalogue"])


@lru_cache(maxsize=1)
def _catalogue(schemas_dir: str) -> dict:
    return catalogue.build(schemas_dir)


@router.get("/v1/catalogue", summary="Event catalogue: every event, its owner, topic, versions, fields, example")
def get_catalogue() -> dict:
    return _catalogue(str(Settings().schemas_dir))


@router.get("/v1/catalogue.html", response_class=HTMLResponse, summary="Event catalogue as a page")
def get_catalogue_html() -> str:
    return catalogue.html(_catalogue(str(Settings().schemas_dir)))
