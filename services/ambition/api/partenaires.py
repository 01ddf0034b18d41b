"""Routes a partner calls about its own messages: its receipts (``/v1/partenaires/moi/accuses``).

The partner is the bearer of the token (``lycee:<UAI>``, ``ml:<SIRET>``, ``foquale:<code>``):
it reads its own receipts and nobody else's. A PSAD coordinator sends no message and has none.
"""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from ambition.accuses import registre

from .acces import Acteur, acteur, interdit

router = APIRouter()
PARTENAIRES = ("lycee", "ml", "foquale")


def partenaire(a: Acteur = Depends(acteur)) -> Acteur:
    if a.type not in PARTENAIRES:
        raise interdit(f"{a.id} is not a partner: only lycées, missions locales and Foquale/MLDS "
                       "networks send messages and have receipts")
    return a


@router.get("/v1/partenaires/moi/accuses", tags=["partenaire"])
def accuses(request: Request, depuis: int = Query(0, ge=0, description="the last position already "
                                                  "read (0: from the start)"),
            limite: int = Query(500, ge=1, le=5000, description="receipts per answer"),
            a: Acteur = Depends(partenaire)) -> dict:
    """The receipts of the caller's messages after position ``depuis``, oldest first: statut
    ``accepte``, ``doublon``, ``parque`` (a later receipt gives the final verdict) or ``refuse``
    (``code`` and ``message``). Resume with ``depuis`` = the answer's ``position``."""
    items = [x.document() for x in registre.lire(request.app.state.event_engine(), a.id, depuis, limite)]
    return {"partenaire": a.id, "depuis": depuis,
            "position": items[-1]["position"] if items else depuis, "accuses": items}
