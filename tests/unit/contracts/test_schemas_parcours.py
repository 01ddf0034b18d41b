"""Finding 15: the domain events' schemas carry the parcours number, say what the outcome does
to the statut scolaire, and give every enum a default symbol (so adding a symbol does not break
an older reader); and such an older reader does read a newer symbol as the default."""
from __future__ import annotations

from io import BytesIO
from pathlib import Path

from fastavro import parse_schema, schemaless_reader, schemaless_writer

from ambition.contracts.codec import Registry

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"


def _enums(node, out):
    if isinstance(node, dict):
        if node.get("type") == "enum":
            out.append(node)
        for v in node.values():
            _enums(v, out)
    elif isinstance(node, list):
        for v in node:
            _enums(v, out)
    return out


def test_15_chaque_evenement_du_domaine_porte_le_numero_et_des_enums_a_defaut():
    registry = Registry.load(SCHEMAS)
    noms = [n for n in registry.fullnames() if n.startswith("ambition.parcours.")]
    assert len(noms) == 20
    for nom in noms:
        raw = registry.schema(nom).raw
        meta = next(f["type"] for f in raw["fields"] if f["name"] == "parcours")
        assert "numero" in [f["name"] for f in meta["fields"]], nom
        for enum in _enums(raw, []):
            assert enum.get("default") in enum["symbols"], (nom, enum["name"])
    corrigee = [f["name"] for f in registry.schema("ambition.parcours.IssueCorrigee").raw["fields"]]
    assert "statut_scolaire_conserve" in corrigee
    clos = [f["name"] for f in registry.schema("ambition.parcours.ParcoursClos").raw["fields"]]
    assert {"droits_jusqu_au", "statut_structure_accueil", "jours_en_entreprise",
            "depassement_deux_tiers", "periodes_terminees"} <= set(clos)


def test_15_un_lecteur_ancien_lit_un_symbole_nouveau_comme_le_defaut():
    lecteur = {"type": "enum", "name": "Issue", "symbols": ["FORMATION", "INCONNU"],
               "default": "INCONNU"}
    ecrivain = {"type": "enum", "name": "Issue", "symbols": ["FORMATION", "INCONNU", "CEJ"]}
    out = BytesIO()
    schemaless_writer(out, parse_schema(ecrivain), "CEJ")
    out.seek(0)
    assert schemaless_reader(out, parse_schema(ecrivain), parse_schema(lecteur)) == "INCONNU"
