"""The conformance sandbox: what the platform would do with a message, nothing stored.

A message is given exactly as it would be produced: ``{"topic", "key", "value", "headers"}``
with ``key`` and ``value`` in base64 and ``headers`` a list of ``[name, base64 value]`` (the
format of docs/vecteurs/). ``lire_message`` decodes that; ``verdict`` runs the reading edge
(framing, signature, envelope, identifiers: ``inbound.lire``) and, given the parcours
application, the parcours rules against the current state (``ParcoursApp.essayer``). The
verdict has the receipt's shape: ``statut`` (accepte, doublon, parque, refuse), ``code``,
``message``, ``event_id``, ``type``.
"""
from __future__ import annotations

import base64
import binascii
import json
import sys
from pathlib import Path

from ambition.config import Settings
from ambition.parcours import Emetteur, Fait

from .codec import Registry
from .inbound import MessageLu, Rejet, lire
from .partners import PartnerDirectory

STATUTS = {"accepte": "accepte", "doublon": "doublon", "inconnu": "parque", "refuse": "refuse"}


class MessageIllisible(ValueError):
    """The message file or body is not in the expected JSON shape."""


def _b64(value, what: str) -> bytes | None:
    if value is None:
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, TypeError, ValueError):
        raise MessageIllisible(f"{what} is not base64") from None


def lire_message(doc: dict) -> tuple[str | None, bytes | None, bytes | None, list[tuple[str, bytes]]]:
    """(topic, key, value, headers) of a message document."""
    if not isinstance(doc, dict) or "value" not in doc:
        raise MessageIllisible('expected a JSON object {"topic", "key", "value", "headers"}')
    headers = doc.get("headers") or []
    if not isinstance(headers, list) or not all(isinstance(h, list) and len(h) == 2 for h in headers):
        raise MessageIllisible('headers: expected a list of [name, base64 value]')
    return (doc.get("topic"), _b64(doc.get("key"), "key"), _b64(doc["value"], "value"),
            [(str(n), _b64(v, f"header {n}") or b"") for n, v in headers])


def fait_de(msg: MessageLu, cle: str) -> Fait:
    """The domain fact a read message states, about the parcours of key ``cle``."""
    emetteur = Emetteur(type=msg.partner_type, identifiant=msg.identifiant, partner_id=msg.partner_id)
    return Fait(event_id=msg.envelope["event_id"], type=msg.type, emetteur=emetteur,
                cle=cle, time=msg.envelope["time"], payload=msg.payload, empreinte=msg.empreinte)


def _cle_de_reference(app, reference: str | None) -> str | None:
    """As the ingestion does: the key of the parcours a reference names, if it exists."""
    from uuid import UUID

    from eventsourcing.application import AggregateNotFoundError

    try:
        return app.repository.get(UUID(reference)).cle
    except (AggregateNotFoundError, TypeError, ValueError):
        return None


def verdict(partner_type: str, value: bytes | None, headers, registry: Registry,
            partners: PartnerDirectory, app=None) -> dict:
    """The verdict on one message; without ``app`` only the reading edge is checked."""
    ce = dict(headers)
    base = {"event_id": (ce.get("ce_id") or b"").decode("utf-8", "replace") or None,
            "type": (ce.get("ce_type") or b"").decode("utf-8", "replace") or None}
    try:
        msg = lire(partner_type, value, headers, registry, partners)
    except Rejet as r:
        return {**base, "statut": "refuse", "code": r.code, "message": r.message, "partenaire": r.partner_id}
    base.update(event_id=msg.envelope["event_id"], type=msg.fullname, partenaire=msg.partner_id)
    if app is None:
        return {**base, "statut": "accepte", "code": None, "message": "the reading edge accepts it; "
                "the parcours rules were not checked (POST /v1/bac-a-sable checks them)"}
    cle = msg.cle or _cle_de_reference(app, msg.reference)
    if cle is None:
        return {**base, "statut": "refuse", "code": "SUJET_INVALIDE",
                "message": "no parcours has the reference the subject names"}
    res = app.essayer(fait_de(msg, cle))
    statut = STATUTS[res.statut.lower()]
    code = (res.code or "REFUS") if statut == "refuse" else None  # as the ingestion records it
    return {**base, "statut": statut, "code": code, "message": res.message}


def verifier_fichier(path: Path, settings: Settings, as_json: bool = False) -> int:
    """``ambition partners verify FILE``: the reading edge's verdict, offline. Exit 0 / 1 / 2."""
    try:
        topic, _, value, headers = lire_message(json.loads(path.read_text()))
    except (OSError, ValueError) as exc:
        print(f"error: {path}: {exc}", file=sys.stderr)
        return 2
    by_topic = {t: ptype for ptype, t in settings.topics.partenaires.items()}
    ptype = by_topic.get(topic or "", topic if topic in settings.topics.partenaires else None)
    if ptype is None:
        print(f"error: topic {topic!r}: expected one of {', '.join(by_topic)}", file=sys.stderr)
        return 2
    v = verdict(ptype, value, headers, Registry.load(settings.schemas_dir), PartnerDirectory.load(settings))
    if as_json:
        print(json.dumps(v, ensure_ascii=False))
    else:
        print(f"{path.name}: {v['statut']}" + (f" {v['code']}: {v['message']}" if v["code"] else f" ({v['message']})"))
    return 0 if v["statut"] == "accepte" else 1
