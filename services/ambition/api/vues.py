"""Routes of the partners' views: lycée, mission locale, Foquale/MLDS, a parcours's timeline."""
from __future__ import annotations

import re
from datetime import date

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request

from ambition_projections import chronologie, foquale, lycee, missionlocale
from ambition_projections.suivi import FIN_SOUS_15J, SANS_ACCUEIL_10J, SANS_ACTIVITE_21J

from .acces import Acteur, acteur, exiger, lisible_jusqu_a
from .lecture import Page, Vues, as_of_param, introuvable, vues

router = APIRouter()
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
ALERTES = f"{SANS_ACTIVITE_21J}|{FIN_SOUS_15J}|{SANS_ACCUEIL_10J}"


@router.get("/v1/lycees/{uai}/eleves", tags=["lycée"])
def eleves(request: Request, uai: str = Path(description="UAI of the lycée"),
           etat: str | None = Query(None, pattern="^(OUVERT|CLOS)$"),
           alerte: str | None = Query(None, pattern=f"^({ALERTES})$"),
           a: Acteur = Depends(acteur), v: Vues = Depends(vues), page: Page = Depends(),
           as_of: date = Depends(as_of_param)) -> dict:
    """The lycée's élèves in the parcours, with their names and disability support (this
    lycée only): state, référent, mission locale, days used, share of the 2/3, rights, alerts."""
    exiger(a, "lycee", uai)
    total, items = lycee.eleves(v.conn, v.t(lycee), uai, as_of, page.limit, page.offset, etat, alerte)
    return page(total, lycee.avec_identite(items, request.app.state.identite), uai=uai, as_of=as_of)


@router.get("/v1/missions-locales/{siret}/portefeuille", tags=["mission locale"])
def portefeuille(siret: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues)) -> dict:
    """Caseload by counsellor."""
    exiger(a, "ml", siret)
    return {"mission_locale": siret, "conseillers": missionlocale.portefeuille(v.conn, v.t(missionlocale), siret)}


@router.get("/v1/missions-locales/{siret}/jeunes", tags=["mission locale"])
def jeunes(siret: str, conseiller: str | None = None, a: Acteur = Depends(acteur),
           v: Vues = Depends(vues), page: Page = Depends(), as_of: date = Depends(as_of_param)) -> dict:
    """The young people welcomed: counsellor, PACEA, stages in progress, bilan due, alerts."""
    exiger(a, "ml", siret)
    total, items = missionlocale.jeunes(v.conn, v.t(missionlocale), siret, as_of, page.limit,
                                        page.offset, conseiller)
    return page(total, items, mission_locale=siret, as_of=as_of)


@router.get("/v1/missions-locales/{siret}/bilans-dus", tags=["mission locale"])
def bilans_dus(siret: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues),
               page: Page = Depends(), as_of: date = Depends(as_of_param)) -> dict:
    """Open parcours whose planned end is within 15 days of as_of, or passed: a bilan is due."""
    exiger(a, "ml", siret)
    total, items = missionlocale.bilans_dus(v.conn, v.t(missionlocale), siret, as_of, page.limit, page.offset)
    return page(total, items, mission_locale=siret, as_of=as_of)


@router.get("/v1/missions-locales/{siret}/activites", tags=["mission locale"])
def activites(siret: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues),
              page: Page = Depends()) -> dict:
    """The mission locale's activities, latest first."""
    exiger(a, "ml", siret)
    total, items = missionlocale.activites(v.conn, v.t(missionlocale), siret, page.limit, page.offset)
    return page(total, items, mission_locale=siret)


@router.get("/v1/missions-locales/{siret}/stages", tags=["mission locale"])
def stages(siret: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues),
           page: Page = Depends()) -> dict:
    """Stages and immersions in progress (begun, not ended)."""
    exiger(a, "ml", siret)
    total, items = missionlocale.stages_en_cours(v.conn, v.t(missionlocale), siret, page.limit, page.offset)
    return page(total, items, mission_locale=siret)


@router.get("/v1/foquale/{code}/solutions", tags=["Foquale / MLDS"])
def solutions(code: str, statut: str | None = Query(None, pattern="^(PROPOSEE|EN_COURS)$"),
              a: Acteur = Depends(acteur), v: Vues = Depends(vues), page: Page = Depends()) -> dict:
    """The solutions this network proposed; `statut` PROPOSEE (not started) or EN_COURS."""
    exiger(a, "foquale", code)
    total, items = foquale.solutions(v.conn, v.t(foquale), f"foquale:{code}", page.limit,
                                     page.offset, statut)
    return page(total, items, reseau=code)


@router.get("/v1/parcours/{parcours_id}/chronologie", tags=["parcours"])
def timeline(parcours_id: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues),
             page: Page = Depends()) -> dict:
    """One parcours's events in order, for its lycée, its mission locale, the Foquale/MLDS
    networks that acted on it and the PSAD of its territory."""
    if not UUID.fullmatch(parcours_id):
        raise HTTPException(422, "not a parcours id (a lower-case UUID)")
    t = v.t(chronologie)
    par_numero = chronologie.acteurs(v.conn, t, parcours_id)
    lisibles = {}
    for acteurs in par_numero:
        permis, jusqu_a = lisible_jusqu_a(a, acteurs)
        if permis:
            lisibles[acteurs["numero"]] = jusqu_a
    if not lisibles:
        # one answer for "no such parcours" and "not yours": no enrolment oracle
        raise introuvable(f"no parcours {parcours_id} among those {a.id} may read")
    total, items = chronologie.evenements(v.conn, t, parcours_id, page.limit, page.offset, lisibles)
    dernier = [x for x in par_numero if x["numero"] in lisibles][-1]
    return page(total, items, parcours_id=parcours_id, numeros=sorted(lisibles),
                uai=dernier["uai"], mission_locale=dernier["mission_locale"])


@router.post("/v1/parcours/{parcours_id}/oubli", tags=["parcours"])
def oubli(request: Request, parcours_id: str, a: Acteur = Depends(acteur), v: Vues = Depends(vues)) -> dict:
    """Right to erasure: the lycée of the parcours, or a data protection officer (``dpo:``),
    destroys the élève's identity and its data key. The pseudonymous history stays; the
    lycée's view then shows "identité effacée". Anyone else gets the answer of an unknown
    parcours."""
    if not UUID.fullmatch(parcours_id):
        raise HTTPException(422, "not a parcours id (a lower-case UUID)")
    par_numero = chronologie.acteurs(v.conn, v.t(chronologie), parcours_id)
    if not par_numero or not (a.type == "dpo"
                              or a.id in {f"lycee:{x['uai']}" for x in par_numero}):
        raise introuvable(f"no parcours {parcours_id} among those {a.id} may read")
    request.app.state.oublier(parcours_id)
    return {"parcours_id": parcours_id, "identite": lycee.EFFACEE}
