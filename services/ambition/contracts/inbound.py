"""Reading one partner message: the function the Kafka consumer calls for every record.

Checks, in this order, each failure a ``Rejet`` with its own reason code:
 0. bounds (``bornes``): MESSAGE_TROP_GRAND (value size), ENTETE_INVALIDE (header count, sizes)
 1. framing: MESSAGE_TRONQUE, MAGIQUE_INVALIDE, SCHEMA_INCONNU (header bytes only)
 2. SIGNATURE_INVALIDE: the ambition-partner header names a registered partner whose key in
    force signs the value and the CloudEvents headers; CLE_REVOQUEE / CLE_EXPIREE when only a
    revoked / ended key of the partner signs; only then is the body decoded
    (DECODAGE_IMPOSSIBLE), so an unsigned message costs no decoding
 3. ENVELOPPE_INVALIDE: envelope.source = signing partner, envelope.type = record full name,
    event_id a UUID, ce_id / ce_source / ce_type / ce_time headers equal to the envelope,
    ce_specversion ``1.0``, content-type ``application/avro``; CHAMP_TROP_LONG (``bornes``)
 4. TYPE_HORS_TOPIC: the event's namespace belongs to the topic's partner type
 5. EMETTEUR_AUTORISE: the signing partner is of the topic's partner type, and an EleveInscrit /
    AccueilRealise names the sender's own UAI / SIRET
 6. SUJET_INVALIDE: the subject is a sealed identity that opens (its INE valid), or a parcours
    reference; IDENTITE_EN_CLAIR: an enrolment of a version that carried the identity in clear
    (refused, its bytes not kept); IDENTITE_ILLISIBLE: the sealed identity does not open, or is
    not the subject's élève (``identite``)
 7. UAI_INVALIDE, SIRET_INVALIDE, INE_INVALIDE, DATE_INVALIDE, CHAMP_TROP_LONG (``regles``,
    ``bornes``), on the opened identity too.
"""
from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone

from . import bornes, cles, identite, signing
from .codec import CodecError, Registry
from .partners import PartnerDirectory
from .regles import Invalide, verifier

NAMESPACES = {"LYCEE": "ambition.lycee", "MISSION_LOCALE": "ambition.missionlocale",
              "FOQUALE": "ambition.foquale"}


SPECVERSION = "1.0"
CONTENT_TYPE = "application/avro"


def rfc3339(t: datetime) -> str:
    """ce_time: the envelope's time in UTC, milliseconds, ``Z`` (e.g. 2025-10-06T08:30:00.000Z)."""
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}Z"


class Rejet(Exception):
    """A refused message: ``code`` is machine-readable, ``message`` says what is wrong (no personal
    data). ``garder`` is False when the original bytes must not be kept (identity in clear)."""

    def __init__(self, code: str, message: str, event_id: str | None = None, partner_id: str | None = None,
                 garder: bool = True):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.event_id = event_id
        self.partner_id = partner_id
        self.garder = garder

    def __reduce__(self):  # read in a worker process, decided in the ingestion's
        return (Rejet, (self.code, self.message, self.event_id, self.partner_id, self.garder))


@dataclass(frozen=True)
class MessageLu:
    fullname: str
    type: str
    partner_type: str
    partner_id: str
    identifiant: str
    envelope: dict
    payload: dict  # an enrolment's identity opened (in memory only)
    empreinte: str  # sha256 of the fact (type, source, parcours key, payload without identity)
    cle: str | None = None  # the parcours key, from a sealed subject
    reference: str | None = None  # or the parcours reference the subject names


def _uuid_valide(value: str) -> bool:
    """The canonical 36-character form only (no braces, urn: prefix or missing dashes)."""
    try:
        return str(uuid.UUID(value)) == value.lower()
    except (ValueError, TypeError, AttributeError):
        return False


def lire(topic_partner_type: str, value: bytes | None, headers: list[tuple[str, bytes]],
         registry: Registry, partners: PartnerDirectory) -> MessageLu:
    if value is not None and len(value) > bornes.MESSAGE_MAX:
        raise Rejet("MESSAGE_TROP_GRAND", f"message of {len(value)} bytes: at most {bornes.MESSAGE_MAX} "
                    "(not kept)", garder=False)
    probleme = bornes.entetes_invalides(headers)
    if probleme:
        raise Rejet("ENTETE_INVALIDE", f"{probleme} (not kept)", garder=False)
    try:
        registry.writer_of(value)  # framing only: the body is decoded once the signature holds
    except CodecError as exc:
        raise Rejet(exc.code, str(exc)) from None

    by_name = signing.header_values(headers)  # the headers read once, for every check below
    claimed = by_name.get(signing.PARTNER_HEADER, [b""])[0].decode("utf-8", "replace")
    partner = partners.get(claimed) if claimed else None
    if partner is None:
        raise Rejet("SIGNATURE_INVALIDE", f"unknown partner in header {signing.PARTNER_HEADER}"
                    if claimed else f"header {signing.PARTNER_HEADER} missing")
    try:
        cles.verifier(partner, value, headers, by_name=by_name)
    except signing.SignatureInvalide as exc:
        raise Rejet(getattr(exc, "code", "SIGNATURE_INVALIDE"), str(exc), partner_id=partner.id) from None
    try:
        decoded = registry.decode(value)
    except CodecError as exc:
        raise Rejet(exc.code, str(exc), partner_id=partner.id) from None

    record = dict(decoded.record)
    envelope = record.pop("envelope")
    event_id = envelope["event_id"]

    def rejet(code: str, message: str) -> Rejet:
        return Rejet(code, message, event_id if _uuid_valide(event_id) else None, partner.id)

    if not _uuid_valide(event_id):
        raise rejet("ENVELOPPE_INVALIDE", "envelope.event_id is not a UUID")
    if envelope["source"] != partner.id:
        raise rejet("ENVELOPPE_INVALIDE", f"envelope.source {envelope['source']!r} is not the signing partner {partner.id!r}")
    if envelope["type"] != decoded.fullname:
        raise rejet("ENVELOPPE_INVALIDE", f"envelope.type {envelope['type']!r} is not the record's full name {decoded.fullname!r}")
    for header, expected in (("ce_id", event_id), ("ce_source", envelope["source"]), ("ce_type", envelope["type"]),
                             ("ce_time", rfc3339(envelope["time"])), ("ce_specversion", SPECVERSION),
                             ("content-type", CONTENT_TYPE)):
        if by_name[header][0] != expected.encode():
            raise rejet("ENVELOPPE_INVALIDE", f"header {header} must be {expected!r}"
                        if header in ("ce_specversion", "content-type")
                        else f"header {header} differs from the envelope")
    if len(envelope.get("subject") or "") > bornes.SUJET_MAX:
        raise rejet("CHAMP_TROP_LONG", f"envelope.subject is longer than {bornes.SUJET_MAX} characters")

    namespace, _, short = decoded.fullname.rpartition(".")
    if NAMESPACES.get(topic_partner_type) != namespace:
        raise rejet("TYPE_HORS_TOPIC", f"{decoded.fullname} does not belong on the {topic_partner_type} topic "
                                       f"(it carries {NAMESPACES.get(topic_partner_type)}.* events)")
    if partner.type != topic_partner_type:
        raise rejet("EMETTEUR_AUTORISE", f"{partner.id} is a {partner.type} partner: it may not emit {decoded.fullname}")
    if short in ("EleveInscrit", "AccueilRealise"):
        field = "uai" if short == "EleveInscrit" else "siret"
        if record.get(field) != partner.identifiant:
            raise rejet("EMETTEUR_AUTORISE", f"{short}.{field} {record.get(field)!r} is not the sender's own "
                                             f"identifier {partner.identifiant!r}")
    try:
        cle, reference = identite.adresse(envelope["subject"], partner.id, partners)
        if short == "EleveInscrit":
            if decoded.version < identite.VERSION_SCELLEE:
                raise Invalide("IDENTITE_EN_CLAIR", f"EleveInscrit v{decoded.version} carries the identity in "
                               f"clear: send v{identite.VERSION_SCELLEE} or later (identity sealed); the "
                               "message is not kept")
            record.update(identite.ouvrir(record.pop("identite"), partner.id, partners, cle))
        verifier(decoded.fullname, envelope, record)
    except Invalide as exc:
        r = rejet(exc.code, exc.message)
        r.garder = exc.code != "IDENTITE_EN_CLAIR"
        raise r from None

    return MessageLu(fullname=decoded.fullname, type=short, partner_type=partner.type, partner_id=partner.id,
                     identifiant=partner.identifiant, envelope=envelope, payload=record,
                     empreinte=empreinte(decoded.fullname, envelope, record, cle or reference),
                     cle=cle, reference=reference)


def empreinte(fullname: str, envelope: dict, payload: dict, adresse: str | None = None) -> str:
    """The fact's fingerprint: what it says, not when it was (re)sent. A partner that resends
    an event under the same event_id with a new envelope time, a newer schema version or a new
    sealing of the same identity is sending the same fact; any change to the payload, the
    élève addressed or the source is a conflict. The identity itself is left out: the
    fingerprint is kept in the history, which must hold nothing that an erasure leaves
    behind (the parcours key stands for the élève)."""
    fact = {"type": fullname, "source": envelope["source"], "subject": adresse or envelope["subject"],
            "payload": {k: v for k, v in payload.items()
                        if v is not None and k not in identite.CHAMPS and k != "identite"}}
    return hashlib.sha256(json.dumps(fact, sort_keys=True, default=str).encode()).hexdigest()


REASON_CODES = ("MESSAGE_TROP_GRAND", "ENTETE_INVALIDE", "MESSAGE_TRONQUE", "MAGIQUE_INVALIDE", "SCHEMA_INCONNU", "DECODAGE_IMPOSSIBLE",
                "SIGNATURE_INVALIDE", "CLE_REVOQUEE", "CLE_EXPIREE", "ENVELOPPE_INVALIDE",
                "TYPE_HORS_TOPIC", "EMETTEUR_AUTORISE", "CHAMP_TROP_LONG", "SUJET_INVALIDE",
                "IDENTITE_EN_CLAIR", "IDENTITE_ILLISIBLE", "UAI_INVALIDE", "SIRET_INVALIDE",
                "INE_INVALIDE", "DATE_INVALIDE")
