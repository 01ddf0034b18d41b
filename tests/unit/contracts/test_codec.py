"""Avro single-object encoding, checked against the Avro spec and the Apache implementation."""
from __future__ import annotations

import json

import avro.schema
import pytest

from ambition.config import ROOT
from ambition.contracts.codec import (MAGIC, DecodageImpossible, EncodageImpossible, MagiqueInvalide,
                                      MessageTronque, Registry, SchemaInconnu, crc64_fingerprint)
from ambition.contracts.exemples import exemple

# The Avro spec's CRC-64-AVRO ("Schema Fingerprints"), written out here independently of fastavro.
EMPTY = 0xC15D213AA4D7A795
PINNED_ELEVE_INSCRIT_V1 = "73d7a44a129d5b8e"


def spec_crc64(data: bytes) -> int:
    table = []
    for i in range(256):
        fp = i
        for _ in range(8):
            fp = (fp >> 1) ^ (EMPTY & -(fp & 1))
        table.append(fp)
    fp = EMPTY
    for b in data:
        fp = (fp >> 8) ^ table[(fp ^ b) & 0xFF]
    return fp


def test_fingerprint_of_null_is_the_spec_value():
    # 7195948357588979594 is the CRC-64-AVRO of "null" in the Avro test suite (schema-tests).
    assert spec_crc64(b'"null"') == 7195948357588979594
    assert crc64_fingerprint("null") == (7195948357588979594).to_bytes(8, "little")


def _without_logical_types(schema):
    if isinstance(schema, dict):
        if schema.get("type") in ("string", "int", "long") and "logicalType" in schema:
            return schema["type"]
        return {k: _without_logical_types(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_without_logical_types(v) for v in schema]
    return schema


def test_every_schema_fingerprint_matches_the_spec_and_apache_avro(registry):
    """Spec: [PRIMITIVES] turns {"type": "long", "logicalType": ...} into "long", as Java and fastavro do.
    Apache avro's Python canonical form keeps {"type": "long"} for logical types (a deviation), so it is
    compared on the schema with logical types written in their primitive form: same canonical form."""
    for name in registry.fullnames():
        for v in registry.versions(name):
            sv = registry.schema(name, v)
            apache = avro.schema.parse(json.dumps(_without_logical_types(sv.raw)))
            assert sv.fingerprint == apache.fingerprint("CRC-64-AVRO"), name
            assert sv.fingerprint == spec_crc64(apache.canonical_form.encode()).to_bytes(8, "little"), name


def test_released_fingerprints_never_change(registry):
    """Partners in other languages pin these: a v1 schema edited in place would break them."""
    assert registry.schema("ambition.lycee.EleveInscrit", 1).fingerprint.hex() == PINNED_ELEVE_INSCRIT_V1


def test_framing_is_magic_then_little_endian_fingerprint_then_body(registry):
    sv = registry.schema("ambition.lycee.EleveInscrit", 1)
    data = registry.encode(sv.fullname, exemple(sv.raw), version=1)
    assert data[:2] == MAGIC == b"\xc3\x01"
    assert data[2:10] == sv.fingerprint


@pytest.mark.parametrize("fullname", Registry.load(ROOT / "schemas").fullnames())
def test_round_trip_of_every_schema_version(registry, fullname):
    for v in registry.versions(fullname):
        sv = registry.schema(fullname, v)
        record = exemple(sv.raw)
        decoded = registry.decode(registry.encode(fullname, record, version=v), reader=v)
        assert (decoded.fullname, decoded.version, decoded.record) == (fullname, v, record)


def test_encode_defaults_to_the_latest_version(registry):
    name = "ambition.lycee.EleveInscrit"
    latest = registry.schema(name)
    assert latest.version == max(registry.versions(name))
    data = registry.encode(name, exemple(latest.raw))
    assert data[2:10] == latest.fingerprint


def test_framing_errors(registry):
    sv = registry.schema("ambition.lycee.PfmpTerminee")
    good = registry.encode(sv.fullname, exemple(sv.raw))
    with pytest.raises(MessageTronque):
        registry.decode(good[:9])
    with pytest.raises(MessageTronque):
        registry.decode(None)
    with pytest.raises(MagiqueInvalide):
        registry.decode(b"\x00\x00" + good[2:])
    with pytest.raises(SchemaInconnu):
        registry.decode(MAGIC + b"\x00" * 8 + good[10:])
    with pytest.raises(DecodageImpossible):
        registry.decode(good[:-3])  # body cut short
    with pytest.raises(DecodageImpossible):
        registry.decode(good + b"\x00")  # trailing garbage


def test_encode_refuses_a_record_that_does_not_match(registry):
    sv = registry.schema("ambition.lycee.PfmpTerminee")
    record = exemple(sv.raw)
    record["date_fin"] = "tomorrow"
    with pytest.raises(EncodageImpossible):
        registry.encode(sv.fullname, record)
    with pytest.raises(SchemaInconnu):
        registry.encode("ambition.lycee.Nope", record)
