"""The published test vectors (docs/vecteurs/) are current and true: each message gets its
stated verdict from the reading edge, its signature covers the stated bytes, each fingerprint
is the one in its messages, in both hex conventions."""
from __future__ import annotations

import base64
import hashlib
import json

import pytest

from ambition.contracts import signing
from ambition.contracts.bac_a_sable import lire_message, verdict
from ambition.contracts.partners import Partner, PartnerDirectory
from ambition.contracts.vecteurs import DOSSIER, fichiers
from ambition.identite.scellement import Ouvreur

TYPES = {"ambition.partenaires.lycee": "LYCEE", "ambition.partenaires.missionlocale": "MISSION_LOCALE"}
MESSAGES = sorted((DOSSIER / "messages").glob("*.json"))


def test_the_vector_files_are_current(registry):
    attendus = fichiers(registry)
    presents = {str(p.relative_to(DOSSIER)) for p in DOSSIER.rglob("*.json")}
    assert presents == set(attendus), "run `python -m ambition.contracts.vecteurs`"
    for rel, content in attendus.items():
        assert (DOSSIER / rel).read_text(encoding="utf-8") == content, \
            f"{rel} is stale: run `python -m ambition.contracts.vecteurs`"


def test_the_issue_example_fingerprint_in_both_conventions():
    """Known answer: EleveInscrit v2, as a Java integrator prints parsingFingerprint64 (a long)
    and as the bytes appear in a message."""
    schemas = json.loads((DOSSIER / "schemas.json").read_text())
    [v2] = [s for s in schemas if (s["nom"], s["version"]) == ("ambition.lycee.EleveInscrit", 2)]
    assert (v2["empreinte_octets"], v2["empreinte_long"]) == ("d93beed64f153ac9", "c93a154fd6ee3bd9")


@pytest.fixture(scope="module")
def annuaire():
    entries = json.loads((DOSSIER / "partenaires.json").read_text())
    cle = json.loads((DOSSIER / "identite.json").read_text())["cle_privee_test_only"]
    return PartnerDirectory([Partner(e["id"], e["type"], e["identifiant"], e["public_key"]) for e in entries],
                            ouvreur=Ouvreur([cle]))


@pytest.mark.parametrize("path", MESSAGES, ids=[p.stem for p in MESSAGES])
def test_each_message_gets_its_stated_verdict(path, registry, annuaire):
    doc = json.loads(path.read_text())
    topic, key, value, headers = lire_message(doc)
    v = verdict(TYPES[topic], value, headers, registry, annuaire)
    assert (v["statut"], v["code"]) == (doc["verdict_attendu"]["statut"], doc["verdict_attendu"]["code"])
    assert value.hex() == doc["value_hex"]
    assert key == (b"b77ad2edf199a4b4479347afaf387d43" if path.stem == "eleve-inscrit"
                   else b"parcours:6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f")


@pytest.mark.parametrize("path", MESSAGES, ids=[p.stem for p in MESSAGES])
def test_the_signature_covers_the_stated_bytes(path, annuaire):
    doc = json.loads(path.read_text())
    _, _, value, headers = lire_message(doc)
    unsigned = [(n, v) for n, v in headers if n != signing.SIGNATURE_HEADER]
    sig = base64.b64decode(dict(headers)[signing.SIGNATURE_HEADER])
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    key = Ed25519PublicKey.from_public_bytes(base64.b64decode(annuaire.get(doc["partenaire"]).public_key))
    key.verify(sig, bytes.fromhex(doc["octets_signes_hex"]))  # raises if not
    if doc["verdict_attendu"]["code"] not in ("SIGNATURE_INVALIDE", "MAGIQUE_INVALIDE", "SCHEMA_INCONNU"):
        assert signing.signed_bytes(value, unsigned).hex() == doc["octets_signes_hex"]


def test_a_valid_message_starts_with_the_marker_and_its_schemas_fingerprint():
    schemas = {(s["nom"]): s for s in json.loads((DOSSIER / "schemas.json").read_text()) if s["version"] == 1}
    doc = json.loads((DOSSIER / "messages" / "activite-lycee.json").read_text())
    value = bytes.fromhex(doc["value_hex"])
    fp = schemas["ambition.lycee.ActiviteLyceeRealisee"]["empreinte_octets"]
    assert value[:2] == b"\xc3\x01" and value[2:10].hex() == fp
    assert int.from_bytes(value[2:10], "little") == int(schemas["ambition.lycee.ActiviteLyceeRealisee"]
                                                        ["empreinte_long"], 16)


def test_the_sealed_identity_vectors_are_the_pages_and_open_to_their_plaintexts():
    """identite.json (what a client in another language reads) says what docs/contrats.md says,
    and opens with its own TEST key to the plaintexts whose SHA-256 it gives (the plaintexts
    themselves are not published: a synthetic élève's identity is still an identity)."""
    doc = json.loads((DOSSIER / "identite.json").read_text())
    page = (DOSSIER.parent / "contrats.md").read_text()
    for valeur in (doc["cle_privee_test_only"], doc["cle_publique"], doc["sujet"]["valeur"], doc["info"],
                   doc["sujet"]["ine_sha256"], doc["identite"]["clair_sha256"]):
        assert valeur in page
    assert doc["identite"]["scelle_hex"] in "".join(page.split())
    ouvreur = Ouvreur([doc["cle_privee_test_only"]])
    ine = ouvreur.ine_du_sujet(doc["sujet"]["valeur"], doc["partenaire"])
    clair = ouvreur.ouvrir(bytes.fromhex(doc["identite"]["scelle_hex"]), doc["partenaire"])
    # the digests as `printf %s <plaintext> | sha256sum` gives them, of the synthetic élève
    # 0123456789A (Lina Martin, 2006-03-14) the vectors were sealed with
    assert hashlib.sha256(ine.encode()).hexdigest() == doc["sujet"]["ine_sha256"] == \
        "bf6eddc8fa80926f7db6dac204aeecf206bc86eb7a7e29493c06dc25a4759b65"
    assert hashlib.sha256(clair).hexdigest() == doc["identite"]["clair_sha256"] == \
        "c794798b1dd07e96d4c399903623292d4b14cd0e4fc535ef08a0fcf6956b9253"
    assert sorted(json.loads(clair)) == doc["identite"]["clair_champs"] and json.loads(clair)["ine"] == ine
    assert "0123456789A" not in (DOSSIER / "identite.json").read_text() and "0123456789A" not in page
    enrolment = json.loads((DOSSIER / "messages" / "eleve-inscrit.json").read_text())
    assert enrolment["enregistrement"]["identite"]["bytes_hex"] == doc["identite"]["scelle_hex"]
    assert enrolment["enregistrement"]["envelope"]["subject"] == doc["sujet"]["valeur"]


@pytest.mark.parametrize("nom,code,sortie", [("activite-lycee", 0, "accepte"), ("eleve-inscrit", 0, "accepte"),
                                             ("ce-id-different", 1, "refuse ENVELOPPE_INVALIDE")])
def test_partners_verify_gives_the_vectors_verdict_offline(nom, code, sortie, monkeypatch, capsys):
    from ambition.cli import main
    monkeypatch.setenv("AMBITION_PARTNERS_FILE", str(DOSSIER / "partenaires.json"))
    assert main(["partners", "verify", str(DOSSIER / "messages" / f"{nom}.json")]) == code
    assert f"{nom}.json: {sortie}" in capsys.readouterr().out
