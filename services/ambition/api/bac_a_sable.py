"""``POST /v1/bac-a-sable``: the conformance sandbox. What the platform would do with a message,
against its current state, nothing stored (``ambition.contracts.bac_a_sable``)."""
from __future__ import annotations

from fastapi import APIRouter, Body, Depends, HTTPException, Request

from ambition.contracts import bac_a_sable
from ambition.contracts.partners import PartnerDirectory

from .acces import Acteur, interdit
from .partenaires import partenaire

router = APIRouter()
TYPES = {"lycee": "LYCEE", "ml": "MISSION_LOCALE", "foquale": "FOQUALE"}


@router.post("/v1/bac-a-sable", tags=["partenaire"])
def essayer(request: Request, message: dict = Body(..., examples=[{
        "topic": "ambition.partenaires.lycee", "key": "<base64>", "value": "<base64>",
        "headers": [["ambition-partner", "<base64>"], ["ce_id", "<base64>"]]}]),
        a: Acteur = Depends(partenaire)) -> dict:
    """Every check of the reading edge and of the parcours rules, as the platform would run them
    on this message now: the answer has a receipt's shape (``statut``, ``code``, ``message``,
    ``event_id``, ``type``). The message must be signed by the caller (its own key)."""
    try:
        _, _, value, headers = bac_a_sable.lire_message(message)
    except bac_a_sable.MessageIllisible as exc:
        raise HTTPException(422, str(exc)) from None
    settings = request.app.state.settings
    partners = PartnerDirectory.load(settings)
    v = bac_a_sable.verdict(TYPES[a.type], value, headers, request.app.state.registry(), partners,
                            request.app.state.parcours_app())
    if v.get("partenaire") not in (None, a.id):
        raise interdit(f"the message is signed by {v['partenaire']}, not by {a.id}: the sandbox "
                       "checks the caller's own messages")
    return {**v, "partenaire": a.id}
