"""A partner's keys: its own public key registered, a rotation with two keys in force until an
end date, a revocation with its own reason code; every change in the journal."""
from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ambition.contracts import cles, signing
from ambition.contracts.inbound import Rejet, lire
from ambition.contracts.partners import (Credentials, PartnerDirectory, PartnerError, add_partner,
                                         revoke_key, rotate_key)
from ambition.sdk import LyceeProducer
from contracts_support import INSCRIPTION, FakeKafkaProducer

UAI = "0010001W"
PID = f"lycee:{UAI}"


def pem_file(tmp_path, name: str) -> tuple[str, object]:
    """A key pair made as a vendor would (e.g. `openssl genpkey -algorithm ed25519`): the
    private key stays with the partner, the PEM public key file goes to the platform."""
    key = Ed25519PrivateKey.generate()
    path = tmp_path / name
    path.write_bytes(key.public_key().public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    private = base64.b64encode(key.private_bytes_raw()).decode()
    return private, path


def message(settings, registry, private: str):
    creds = Credentials(PID, "LYCEE", UAI, private)
    p = LyceeProducer(creds, settings=settings, registry=registry, producer=FakeKafkaProducer())
    return p.build("EleveInscrit", p.cle(INSCRIPTION["ine"]),
                   {**INSCRIPTION, "uai": UAI, "specialite": None, "consentement_representant_legal": None,
                    "interne": False, "fonds_sociaux": False, "accompagnement_handicap": False,
                    "mission_locale_pressentie": None})


def code(settings, registry, private: str, now=None) -> str | None:
    value, headers = message(settings, registry, private)
    directory = PartnerDirectory.load(settings)
    try:
        if now is None:
            lire("LYCEE", value, headers, registry, directory)
        else:
            cles.verifier(directory.get(PID), value, headers, now)
        return None
    except Rejet as r:
        return r.code
    except signing.SignatureInvalide as exc:
        return getattr(exc, "code", "SIGNATURE_INVALIDE")


def test_a_partners_own_public_key_is_registered_from_a_pem_file(settings, registry, tmp_path):
    private, path = pem_file(tmp_path, "lycee.pub.pem")
    pid, shown = add_partner(settings, "LYCEE", UAI, cles.lire_cle_publique(path))
    assert (pid, shown) == (PID, None)  # no private key made, none shown
    assert code(settings, registry, private) is None
    other, _ = signing.new_key_pair()
    assert code(settings, registry, other) == "SIGNATURE_INVALIDE"


def test_a_rotation_keeps_both_keys_until_the_end_date_then_only_the_new_one(settings, registry, tmp_path):
    old, old_path = pem_file(tmp_path, "old.pem")
    new, new_path = pem_file(tmp_path, "new.pem")
    add_partner(settings, "LYCEE", UAI, cles.lire_cle_publique(old_path))
    fin = datetime(2027, 1, 31, tzinfo=timezone.utc)
    kid = rotate_key(settings, PID, cles.lire_cle_publique(new_path), "2027-01-31T00:00")
    before, after = fin - timedelta(seconds=1), fin + timedelta(seconds=1)
    assert code(settings, registry, old, before) is None and code(settings, registry, new, before) is None
    assert code(settings, registry, old, after) == "CLE_EXPIREE"
    assert code(settings, registry, new, after) is None
    assert PartnerDirectory.load(settings).get(PID).public_key == cles.lire_cle_publique(new_path)
    assert kid == cles.identifiant(cles.lire_cle_publique(new_path))
    with pytest.raises(PartnerError, match="already registered"):
        rotate_key(settings, PID, cles.lire_cle_publique(new_path), "2027-02-01")


def test_a_revoked_key_is_refused_with_its_own_reason_and_every_change_is_journaled(settings, registry, tmp_path):
    old, old_path = pem_file(tmp_path, "old.pem")
    new, new_path = pem_file(tmp_path, "new.pem")
    add_partner(settings, "LYCEE", UAI, cles.lire_cle_publique(old_path))
    rotate_key(settings, PID, cles.lire_cle_publique(new_path), "2099-01-01")
    old_id = cles.identifiant(cles.lire_cle_publique(old_path))
    revoke_key(settings, PID, old_id, motif="laptop stolen")
    assert code(settings, registry, old) == "CLE_REVOQUEE"
    assert code(settings, registry, new) is None
    journal = [json.loads(line) for line in settings.partners_journal.read_text().splitlines()]
    assert [(j["action"], j["partenaire"], j["cle"]) for j in journal] == [
        ("ajout", PID, old_id), ("rotation", PID, cles.identifiant(cles.lire_cle_publique(new_path))),
        ("revocation", PID, old_id)]
    assert journal[2]["motif"] == "laptop stolen"
    assert old not in settings.partners_journal.read_text() and new not in settings.partners_file.read_text()
    with pytest.raises(PartnerError, match="no key"):
        revoke_key(settings, PID, "0" * 16)


def test_a_key_file_that_is_not_an_ed25519_public_key_is_refused(tmp_path):
    bad = tmp_path / "bad.pub"
    bad.write_text("bm90IGEga2V5")  # base64 of 9 bytes
    with pytest.raises(ValueError, match="32 bytes"):
        cles.lire_cle_publique(bad)
