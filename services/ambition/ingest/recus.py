"""Who gets the receipt of a decided message, and what it says (``ambition.accuses.registre``).

A message whose signature was checked belongs to its signing partner. A message refused before
(undecodable, signature wrong) is addressed to the registered partner its ``ambition-partner``
header names, marked ``authentifie: false`` (anyone could have written that header); a message
naming no registered partner has nobody to tell: the operator sees it in ``ambition rejected``.
The event id is the envelope's, else the ``ce_id`` header's when it is a UUID.
"""
from __future__ import annotations

import uuid

from ambition.accuses import registre
from ambition.contracts import signing

NON_AUTHENTIFIES = ("SIGNATURE_INVALIDE", "CLE_REVOQUEE")


def _uuid(value: bytes | None) -> str | None:
    try:
        text = (value or b"").decode()
        return text if str(uuid.UUID(text)) == text.lower() else None
    except (ValueError, UnicodeDecodeError):
        return None


def accuse(s, ref: str, statut: str, code, message, event_id, partner, partners) -> dict | None:
    headers = signing.header_values(s.inc.headers)
    authentifie = True
    if s.fait is not None:
        partner = partner or s.fait.emetteur.partner_id
        event_id = event_id or s.fait.event_id
    if partner is None or code in NON_AUTHENTIFIES:
        authentifie = False
        if partner is None:
            claimed = headers.get(signing.PARTNER_HEADER, [b""])[0].decode("utf-8", "replace")
            partner = claimed if claimed and partners.get(claimed) is not None else None
    if partner is None:
        return None
    if event_id is None:
        event_id = _uuid(headers.get("ce_id", [None])[0])
    type_ = headers.get("ce_type", [b""])[0].decode("utf-8", "replace")[:200] or None
    return registre.ligne(ref, partner, statut, s.inc, event_id=event_id, type_=type_, code=code,
                          message=message, authentifie=authentifie)
