"""Routes of the PSAD coordinator: the territory's consolidated figures, the young people at
risk, and the dashboard page. No INE, name, birth date or health data in any answer."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse, Response

from ambition_projections import psad, territoires

from .acces import Acteur, acteur, territoire_psad
from .lecture import Page, Vues, as_of_param, introuvable, vues

router = APIRouter()
STATIC = Path(__file__).parent
# The page holds no data and no secret: it reads the token from the URL fragment (never sent to
# a server) and calls the API with it. Only same-origin scripts and requests are allowed.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
                               "connect-src 'self'; img-src 'self' data:; base-uri 'none'; "
                               "form-action 'none'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
}


def _perimetre(a: Acteur, territoire: str | None) -> str | None:
    t = territoire_psad(a, territoire)
    if t and t not in territoires.connus():
        raise introuvable(f"unknown territory {t!r}: expected one of {', '.join(territoires.connus())}")
    return t


@router.get("/v1/psad/synthese", tags=["PSAD"])
def synthese(territoire: str | None = Query(None, description="national coordinators only"),
             uai: str | None = Query(None, description="one lycée"),
             mission_locale: str | None = Query(None, description="one mission locale (SIRET)"),
             du: date | None = Query(None, description="entries from this date"),
             au: date | None = Query(None, description="entries up to this date (included)"),
             a: Acteur = Depends(acteur), v: Vues = Depends(vues),
             as_of: date = Depends(as_of_param)) -> dict:
    """Entries, open parcours, outcomes by kind, share with a solution, median duration, young
    people at risk at as_of, entries per month, the funnel (entries, accueil, PACEA or solution,
    outcome), outcomes by month, refusals by reason; by lycée and mission locale, with their
    names. ``du``/``au`` select parcours by entry date (refusals are not dated: not filtered)."""
    t = _perimetre(a, territoire)
    return psad.synthese(v.conn, v.t(psad), as_of, t, uai, mission_locale, du, au)


@router.get("/v1/psad/a-risque", tags=["PSAD"])
def a_risque(territoire: str | None = None, uai: str | None = None, mission_locale: str | None = None,
             du: date | None = None, au: date | None = None,
             a: Acteur = Depends(acteur), v: Vues = Depends(vues), page: Page = Depends(),
             as_of: date = Depends(as_of_param)) -> dict:
    """Young people at risk at as_of, by pseudonymous parcours id, with their alerts."""
    t = _perimetre(a, territoire)
    total, items = psad.a_risque(v.conn, v.t(psad), as_of, page.limit, page.offset, t, uai,
                                 mission_locale, du, au)
    return page(total, items, territoire=t or "national", as_of=as_of)


@router.get("/psad/tableau-de-bord", response_class=HTMLResponse, tags=["PSAD"])
def tableau_de_bord() -> HTMLResponse:
    """The PSAD dashboard. Open it as /psad/tableau-de-bord#token=<PSAD token>; filters go in the
    query string (?uai=&mission_locale=&as_of=&territoire=)."""
    return HTMLResponse((STATIC / "tableau_de_bord.html").read_text(), headers=SECURITY_HEADERS)


@router.get("/psad/tableau-de-bord.js", include_in_schema=False)
def tableau_de_bord_js() -> Response:
    return Response((STATIC / "tableau_de_bord.js").read_text(), media_type="text/javascript",
                    headers=SECURITY_HEADERS)
