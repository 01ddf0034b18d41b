"""Reading the élève's identity at the edge: the subject (sealed INE or parcours reference) and
an enrolment's sealed identity, opened with the platform's private keys (``ambition.identite``).

Every failure is an ``Invalide`` whose message never quotes a value.
"""
from __future__ import annotations

import json
import re
from datetime import date

from ambition.identite.scellement import Illisible, est_scelle
from ambition.pseudonym import cle_parcours

from .identifiants import ine_valide
from .regles import Invalide

CHAMPS = ("ine", "nom", "prenom", "date_naissance", "accompagnement_handicap")
VERSION_SCELLEE = 3  # EleveInscrit v3: identity sealed; v1 and v2 carried it in clear
# (partner, sealed subject) whose parcours key a reader keeps: about 450 bytes each, 45 MB full
SUJETS_OUVERTS = 100_000
REFERENCE = re.compile(r"parcours:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})")


def adresse(subject: str, partner_id: str, partners) -> tuple[str | None, str | None]:
    """(parcours key, None) for a sealed subject, (None, parcours id) for a reference."""
    ref = REFERENCE.fullmatch(subject or "")
    if ref:
        return None, ref.group(1)
    if not est_scelle(subject):
        raise Invalide("SUJET_INVALIDE", "subject must be hpke1.<32 hex>.<sealed INE, base64url> or "
                                         "parcours:<parcours reference> (never the INE)")
    memo, verrou = partners.cles_des_sujets, partners.cles_des_sujets_lock
    with verrou:  # the same partner's same sealed subject opens to the same élève
        cle = memo.get((partner_id, subject))
        if cle is not None:
            memo.move_to_end((partner_id, subject))
            return cle, None
    try:
        ine = partners.ouvreur.ine_du_sujet(subject, partner_id)
    except Illisible as exc:
        raise Invalide("SUJET_INVALIDE", f"the sealed INE of the subject does not open: {exc}") from None
    if not ine_valide(ine):
        raise Invalide("SUJET_INVALIDE", "the sealed INE of the subject is not 10 of [0-9A-Z] then a letter "
                                         "(value not repeated: personal data)")
    cle = cle_parcours(ine, partners.pseudonym_secret)
    with verrou:
        memo[(partner_id, subject)] = cle
        if len(memo) > SUJETS_OUVERTS:
            memo.popitem(last=False)
    return cle, None


def ouvrir(scelle: bytes, partner_id: str, partners, cle: str | None) -> dict:
    """The enrolment's identity fields, opened; its INE must be the subject's élève."""
    if cle is None:
        raise Invalide("SUJET_INVALIDE", "an enrolment addresses the élève by its sealed INE, not by a reference")
    try:
        clair = json.loads(partners.ouvreur.ouvrir(scelle, partner_id))
    except (Illisible, ValueError) as exc:
        raise Invalide("IDENTITE_ILLISIBLE", f"identite does not open as the JSON identity: "
                                             f"{exc if isinstance(exc, Illisible) else 'not JSON'}") from None
    if not isinstance(clair, dict) or set(clair) != set(CHAMPS):
        raise Invalide("IDENTITE_ILLISIBLE", f"identite must hold exactly the keys {', '.join(CHAMPS)}")
    try:
        clair["date_naissance"] = date.fromisoformat(clair["date_naissance"])
    except (TypeError, ValueError):
        raise Invalide("DATE_INVALIDE", "date_naissance is not YYYY-MM-DD (value not repeated: personal data)") from None
    if not (isinstance(clair["nom"], str) and isinstance(clair["prenom"], str)
            and isinstance(clair["accompagnement_handicap"], bool)):
        raise Invalide("IDENTITE_ILLISIBLE", "nom and prenom must be strings, accompagnement_handicap a boolean")
    if ine_valide(clair["ine"]) and cle_parcours(clair["ine"], partners.pseudonym_secret) != cle:
        raise Invalide("IDENTITE_ILLISIBLE", "the sealed identity's INE is not the subject's élève "
                                             "(value not repeated: personal data)")
    return clair  # an INE of the wrong shape is refused by ``regles`` (INE_INVALIDE)


def identite_json(fields: dict) -> bytes:
    """The plaintext an SDK seals: UTF-8 JSON of the identity fields (birth date YYYY-MM-DD)."""
    out = {c: fields[c] for c in CHAMPS}
    if isinstance(out["date_naissance"], date):
        out["date_naissance"] = out["date_naissance"].isoformat()
    return json.dumps(out, sort_keys=True, ensure_ascii=False).encode()
