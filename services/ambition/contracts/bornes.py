"""The documented maxima of a partner message (docs/contrats.md, "Bounds").

Checked when a message is read, before anything is decoded or stored, each with its reason
code; the free-text maxima are those of the read-model columns that keep the values, so a
message the reading edge accepts always fits the views.
"""
from __future__ import annotations

#: Bytes of a message value (Avro single-object encoding): MESSAGE_TROP_GRAND beyond.
MESSAGE_MAX = 16 * 1024
#: Headers of a message, and bytes of one header's name or value: ENTETE_INVALIDE beyond.
ENTETES_MAX = 16
ENTETE_NOM_MAX = 64
ENTETE_VALEUR_MAX = 256

#: Characters of a free-text field (CHAMP_TROP_LONG beyond), by field name.
TEXTE_MAX = {
    "referent": 200,  # vue_*.referent VARCHAR(200)
    "conseiller": 200,  # vue_*.conseiller VARCHAR(200)
    "specialite": 200,  # vue_*.specialite VARCHAR(200)
    "diplome": 20,  # vue_*.diplome VARCHAR(20)
    "periode_id": 100,  # vue_ml_stages.periode_id VARCHAR(100)
    "solution_id": 100,  # vue_foquale_solutions.solution_id VARCHAR(100)
    "motif": 500,
    "detail": 500,
    "nom": 100,  # sealed identity
    "prenom": 100,  # sealed identity
}
#: Items of an array field (CHAMP_TROP_LONG beyond).
LISTE_MAX = {"participants": 10}
#: Characters of the envelope's subject (the parcours reference or a sealed identity).
SUJET_MAX = 400


def trop_long(payload: dict) -> str | None:
    """The first field over its maximum, described without its value; None if all fit."""
    for name, value in payload.items():
        if isinstance(value, str) and len(value) > TEXTE_MAX.get(name, 200):
            return f"{name} has {len(value)} characters: at most {TEXTE_MAX.get(name, 200)}"
        if isinstance(value, list) and len(value) > LISTE_MAX.get(name, 10):
            return f"{name} has {len(value)} items: at most {LISTE_MAX.get(name, 10)}"
    return None


def entetes_invalides(headers) -> str | None:
    """What is wrong with the headers' count or sizes, or None."""
    headers = list(headers or ())
    if len(headers) > ENTETES_MAX:
        return f"{len(headers)} headers: at most {ENTETES_MAX}"
    for name, value in headers:
        if not isinstance(name, str) or len(name.encode()) > ENTETE_NOM_MAX:
            return f"a header name is longer than {ENTETE_NOM_MAX} bytes"
        if value is not None and len(value) > ENTETE_VALEUR_MAX:
            return f"header {name} has {len(value)} bytes: at most {ENTETE_VALEUR_MAX}"
    return None
