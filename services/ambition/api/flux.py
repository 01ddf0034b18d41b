"""``GET /v1/flux``: the caller's feed, the validated events of the parcours it serves."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ambition.flux import lecture

from .acces import Acteur
from .partenaires import partenaire

router = APIRouter()


@router.get("/v1/flux", tags=["partenaire"])
def flux(request: Request, depuis: int = Query(0, ge=0, description="the position of the last "
                                               "answer (0: from the start)"),
         limite: int = Query(200, ge=1, le=1000, description="events per answer"),
         a: Acteur = Depends(partenaire)) -> dict:
    """The domain events (``ambition.parcours.*``, as on parcours.events, JSON) of the parcours
    the caller serves, after ``depuis``. Resume with ``depuis`` = the answer's ``position``
    (it may advance with no event: the notifications between concerned other partners);
    ``fin`` is true when the answer reached the end of the log."""
    app, registry = request.app.state.parcours_app(), request.app.state.registry()
    items, position = lecture.lire(app, registry, a.id, depuis, limite)
    fin = position >= (app.recorder.max_notification_id() or 0)
    return {"partenaire": a.id, "depuis": depuis, "position": position, "fin": fin, "evenements": items}
