"""What a partner is told when a message cannot be read, and the registry's own guards.

The messages are part of the contract: a partner's integrator reads them in the refusal and must
be able to act on them, so they are compared with the text written here. Each test builds its
own Registry (not the session fixture), so that a fault in loading the schemas shows here.
"""
from __future__ import annotations

import base64
import json
import shutil
from datetime import date, datetime, timezone

import pytest

from ambition.contracts import signing
from ambition.contracts.codec import (MAGIC, DecodageImpossible, EncodageImpossible, MagiqueInvalide, MessageTronque, Registry,
                                      SchemaInconnu, load_schema_file)
from contracts_support import SCHEMAS
from test_valeurs_connues import (HEADERS, PFMP_TERMINEE_BYTES, PUBLIC_B64, SIGNATURE_B64, SUBJECT,
                                  VALUE)


@pytest.fixture
def registre() -> Registry:
    return Registry.load(SCHEMAS)


def _message(exc_info) -> str:
    return str(exc_info.value)


def test_framing_errors_say_what_was_expected(registre):
    with pytest.raises(MessageTronque) as e:
        registre.decode(PFMP_TERMINEE_BYTES[:7])
    assert _message(e) == ("message of 7 bytes: at least 10 expected "
                           "(2 magic bytes C3 01 + 8-byte schema fingerprint + body)")
    with pytest.raises(MessageTronque) as e:
        registre.decode(None)
    assert _message(e).startswith("message of 0 bytes: at least 10 expected")
    with pytest.raises(MagiqueInvalide) as e:
        registre.decode(b"\x00\x01" + PFMP_TERMINEE_BYTES[2:])
    assert _message(e) == "magic bytes 0001 instead of c301: not Avro single-object encoding"
    with pytest.raises(SchemaInconnu) as e:
        registre.decode(MAGIC + bytes(range(8)) + PFMP_TERMINEE_BYTES[10:])
    assert _message(e) == "unknown writer schema fingerprint 0001020304050607"


def test_a_header_without_a_body_is_not_truncated_but_undecodable(registre):
    with pytest.raises(DecodageImpossible) as e:
        registre.decode(PFMP_TERMINEE_BYTES[:10])
    assert _message(e) == "body does not decode as ambition.lycee.PfmpTerminee v1: EOFError"


def test_trailing_bytes_are_named(registre):
    with pytest.raises(DecodageImpossible) as e:
        registre.decode(PFMP_TERMINEE_BYTES + b"\x00")
    assert _message(e) == "trailing bytes after a ambition.lycee.PfmpTerminee v1 record"


def test_uuid_fields_are_read_as_text_so_a_malformed_id_reaches_the_envelope_check(registre):
    good = registre.decode(PFMP_TERMINEE_BYTES).record["envelope"]["event_id"]
    assert type(good) is str
    bad_id = b"pas-un-uuid"
    data = (PFMP_TERMINEE_BYTES[:10] + bytes([2 * len(bad_id)]) + bad_id
            + PFMP_TERMINEE_BYTES[10 + 1 + 36:])
    assert registre.decode(data).record["envelope"]["event_id"] == "pas-un-uuid"


def test_unknown_names_and_versions(registre):
    with pytest.raises(SchemaInconnu) as e:
        registre.schema("ambition.lycee.Nope")
    assert _message(e) == "no schema named ambition.lycee.Nope"
    with pytest.raises(SchemaInconnu) as e:
        registre.schema("ambition.lycee.EleveInscrit", 9)
    assert _message(e) == "ambition.lycee.EleveInscrit has no version 9 (known: [1, 2, 3])"
    assert registre.versions("ambition.lycee.Nope") == []
    assert registre.versions("ambition.lycee.EleveInscrit") == [1, 2, 3]
    fp = registre.schema("ambition.lycee.PfmpTerminee", 1).fingerprint
    assert registre.by_fingerprint(fp).fullname == "ambition.lycee.PfmpTerminee"
    assert registre.by_fingerprint(b"\x00" * 8) is None


def test_encoding_refuses_a_wrong_type_before_anything_is_sent(registre):
    record = registre.decode(PFMP_TERMINEE_BYTES).record
    record["periode_id"] = 42
    with pytest.raises(EncodageImpossible) as e:
        registre.encode("ambition.lycee.PfmpTerminee", record)
    assert _message(e).startswith("record does not match ambition.lycee.PfmpTerminee v1: ")


def test_the_registry_refuses_a_version_defined_twice_or_a_copy_under_another_name(tmp_path):
    one = load_schema_file(SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc")
    with pytest.raises(ValueError) as e:
        Registry([one, one])
    assert "ambition.lycee.PfmpTerminee v1 defined twice" in _message(e)
    raw = json.loads((SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc").read_text())
    raw["doc"] = "same canonical form: docs are not part of it"
    copy = tmp_path / "PfmpTerminee.v2.avsc"
    copy.write_text(json.dumps(raw))
    with pytest.raises(ValueError) as e:
        Registry([one, load_schema_file(copy)])
    assert _message(e) == f"{copy} has the same canonical form as {one.path}"


def test_schema_files_must_be_named_after_their_record(tmp_path):
    wrong = tmp_path / "Autre.v1.avsc"
    shutil.copy(SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc", wrong)
    with pytest.raises(ValueError) as e:
        load_schema_file(wrong)
    assert _message(e) == f"{wrong}: file name says Autre but the record is ambition.lycee.PfmpTerminee"
    unversioned = tmp_path / "PfmpTerminee.avsc"
    shutil.copy(SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc", unversioned)
    with pytest.raises(ValueError) as e:
        load_schema_file(unversioned)
    assert _message(e) == f"{unversioned}: schema files are named <Record>.v<N>.avsc"
    with pytest.raises(FileNotFoundError) as e:
        Registry.load(tmp_path / "vide")
    assert _message(e) == f"no .avsc file under {tmp_path / 'vide'}"


def test_a_loaded_schema_version_knows_its_file_and_both_parsed_forms():
    sv = load_schema_file(SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc")
    assert (sv.fullname, sv.version, sv.path) == ("ambition.lycee.PfmpTerminee", 1,
                                                  SCHEMAS / "lycee" / "PfmpTerminee.v1.avsc")
    assert sv.parsed["name"] == sv.read_parsed["name"] == "ambition.lycee.PfmpTerminee"
    envelope = sv.read_parsed["fields"][0]["type"]["fields"]
    assert envelope[0] == {"name": "event_id", "type": "string",
                           "doc": "Unique id chosen by the emitter (UUID); a redelivery or a resend keeps it."}


# -- signatures ---------------------------------------------------------------------------

def test_a_signed_header_missing_or_repeated_is_named():
    for headers, found in (([h for h in HEADERS if h[0] != "ce_id"], 0), (HEADERS + [("ce_id", b"x")], 2)):
        with pytest.raises(signing.SignatureInvalide) as e:
            signing.signed_bytes(VALUE, headers)
        assert _message(e) == f"header ce_id must be present exactly once (found {found})"
    with pytest.raises(signing.SignatureInvalide) as e:
        signing.verify(PUBLIC_B64, VALUE, HEADERS)
    assert _message(e) == "header ambition-signature must be present exactly once (found 0)"


def test_a_signature_with_characters_outside_base64_is_refused_even_if_the_rest_is_right():
    with pytest.raises(signing.SignatureInvalide) as e:
        signing.verify(PUBLIC_B64, VALUE, HEADERS + [(signing.SIGNATURE_HEADER, SIGNATURE_B64[:-2] + b"!==")])
    assert _message(e) == ("the signature does not match the partner's registered key "
                           "(forged, altered message or headers, or wrong key)")


def test_header_values_given_as_other_byte_types_sign_the_same():
    """Kafka clients hand headers as bytes, bytearray or None: the signed input is the same."""
    as_bytearray = [(k, bytearray(v)) for k, v in HEADERS] + [("x-vide", None)]
    assert signing.signed_bytes(VALUE, as_bytearray) == signing.signed_bytes(VALUE, HEADERS)
    assert signing.header_values([("x-vide", None)]) == {"x-vide": [b""]}
    signing.verify(PUBLIC_B64, VALUE, as_bytearray + [(signing.SIGNATURE_HEADER, SIGNATURE_B64)])


def test_fixed_record_round_trip_keeps_every_field(registre):
    record = registre.decode(PFMP_TERMINEE_BYTES).record
    assert record == {"envelope": {"event_id": "5f0c1a2e-3b4d-4c6e-8f70-9a1b2c3d4e5f",
                                   "source": "lycee:0753268V", "type": "ambition.lycee.PfmpTerminee",
                                   "time": datetime(2025, 10, 6, 8, 30, tzinfo=timezone.utc),
                                   "subject": SUBJECT},
                      "periode_id": "p1", "date_fin": date(2025, 11, 1)}
    assert base64.b64encode(PFMP_TERMINEE_BYTES[:2]) == b"wwE="
