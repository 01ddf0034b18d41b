"""A valid example record for every schema: used by the catalogue and the round-trip tests.

Values come from a table by field name (so that examples pass the identifier checks), then from
the Avro type (first enum symbol, every array item symbol, ...). Deterministic: the committed
catalogue depends on it.
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime, timezone
from typing import Any

from ambition.identite import vecteurs

#: the synthetic élève of the published vectors (no identity is written in code)
ELEVE = json.loads(vecteurs.IDENTITE_CLAIRE)
INE = ELEVE["ine"]
UAI = "0753268V"
SIRET_ML = "13002526500013"
SIRET_ENTREPRISE = "44321868900018"
SOURCES = {"ambition.lycee": f"lycee:{UAI}", "ambition.missionlocale": f"ml:{SIRET_ML}",
           "ambition.foquale": "foquale:ac-paris", "ambition.parcours": "ambition"}
TIME = datetime(2025, 10, 6, 8, 30, tzinfo=timezone.utc)

VALEURS: dict[str, Any] = {
    "ine": INE, "nom": ELEVE["nom"], "prenom": ELEVE["prenom"],
    "date_naissance": date.fromisoformat(ELEVE["date_naissance"]),
    "uai": UAI, "diplome": "BAC_PRO", "specialite": "Métiers du commerce et de la vente",
    "session_examen": 2025, "consentement_eleve": True, "consentement_representant_legal": None,
    "referent": "M. Durand", "date_debut": date(2025, 9, 15), "date_fin_prevue": date(2026, 1, 9),
    "date_effet": date(2025, 10, 1), "date": date(2025, 10, 6), "duree_heures": 6,
    "periode_id": "periode-1", "siret": SIRET_ENTREPRISE, "date_fin": date(2025, 11, 28),
    "motif": "Déménagement", "conseiller": "conseiller-042", "date_signature": date(2025, 10, 2),
    "detail": "Contrat d'apprentissage en boulangerie", "solution_id": "solution-1",
    "mission_locale": SIRET_ML, "mission_locale_pressentie": SIRET_ML,
    "origine_event_id": "6f1c1f5e-3f55-4e0b-9a7e-0b8f3c2d1a10",
    "parcours_id": "0b6c3f7e-8d51-4c0a-b1f2-3a4d5e6f7a8b", "version": 1,
    "emetteur": f"lycee:{UAI}", "statut_scolaire_conserve": True,
    "identite": bytes.fromhex(vecteurs.IDENTITE_HEX),  # sealed with the published TEST key
}
PAR_EVENEMENT: dict[tuple[str, str], Any] = {("AccueilRealise", "siret"): SIRET_ML}


def exemple(raw: dict) -> dict:
    """An example record of the record schema ``raw`` (the .avsc JSON)."""
    fullname = f"{raw['namespace']}.{raw['name']}"
    out = {}
    for f in raw["fields"]:
        if f["name"] == "envelope":
            out["envelope"] = {
                "event_id": "1d3e7a52-9c4b-4f1e-8a6d-2b5c7e9f0a31", "source": SOURCES[raw["namespace"]],
                "type": fullname, "time": TIME, "subject": _sujet(raw["namespace"])}
        elif isinstance(f["type"], dict) and f["type"].get("type") == "record":
            out[f["name"]] = exemple({**f["type"], "namespace": f["type"].get("namespace", raw["namespace"])})
        else:
            out[f["name"]] = _valeur(raw["name"], f)
    return out


def _sujet(namespace: str) -> str:
    """Partner events address the élève by its sealed INE (the published test vector); domain
    events carry the pseudonymous parcours key (an example value, 32 hex)."""
    return vecteurs.SUJET if namespace != "ambition.parcours" else "5f2c" + "0" * 24 + "a1b2"


def _valeur(record: str, f: dict) -> Any:
    name, t = f["name"], f["type"]
    if (record, name) in PAR_EVENEMENT:
        return PAR_EVENEMENT[(record, name)]
    if name in VALEURS:
        return VALEURS[name]
    if isinstance(t, list):  # optional without a table value
        return None
    return _par_type(t)


def _par_type(t: Any) -> Any:
    if isinstance(t, dict):
        kind = t["type"]
        if kind == "enum":
            return t["symbols"][0]
        if kind == "array":
            items = t["items"]
            return list(items["symbols"]) if isinstance(items, dict) and items.get("type") == "enum" \
                else [_par_type(items)]
        if t.get("logicalType") == "date":
            return date(2025, 10, 6)
        if t.get("logicalType") == "timestamp-millis":
            return TIME
        return _par_type(kind)
    return {"string": "texte", "int": 1, "long": 1, "boolean": False, "null": None,
            "double": 1.0, "float": 1.0, "bytes": b""}[t]


def en_json(value: Any) -> Any:
    """JSON-friendly rendering: dates and instants in ISO 8601."""
    if isinstance(value, dict):
        return {k: en_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [en_json(v) for v in value]
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes):
        return "base64:" + base64.b64encode(value).decode()
    return value
