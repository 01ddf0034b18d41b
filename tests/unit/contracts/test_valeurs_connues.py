"""Known answers for the published wire formats (docs/contrats.md), written out by hand.

Every expected value here is a literal derived from the documents and the specifications, not
from the code under test: a partner writing a client in another language checks itself against
the same bytes.

- Signature: the key is the RFC 8032 (section 7.1, TEST 1) Ed25519 key; the signed input is
  assembled below field by field as docs/contrats.md describes it; the expected signature was
  computed by OpenSSL 3.0 (``openssl pkeyutl -sign -rawin``) over that input, independently of
  this project's code.
- Single-object encoding: the Avro spec's binary encoding (zig-zag varints, length-prefixed
  strings) of a PfmpTerminee, with its header, assembled by hand.
- Fingerprints: the Parsing Canonical Form written by hand from the spec's rules, and the
  fingerprint in both hex conventions: the 8 bytes in framing order (little-endian) and Java's
  ``SchemaNormalization.parsingFingerprint64`` long printed as hex (the bytes reversed).
"""
from __future__ import annotations

import base64
import json
from datetime import date, datetime, timezone

import pytest

from ambition.contracts import signing
from ambition.contracts.codec import crc64_fingerprint
from fastavro.schema import to_parsing_canonical_form

# RFC 8032, 7.1, TEST 1: secret key and public key.
RFC8032_SECRET = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
RFC8032_PUBLIC = bytes.fromhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a")
PRIVATE_B64 = base64.b64encode(RFC8032_SECRET).decode()
PUBLIC_B64 = base64.b64encode(RFC8032_PUBLIC).decode()

EVENT_ID = "5f0c1a2e-3b4d-4c6e-8f70-9a1b2c3d4e5f"
HEADERS = [("ambition-partner", b"lycee:0753268V"), ("ce_id", EVENT_ID.encode()),
           ("ce_source", b"lycee:0753268V"), ("ce_type", b"ambition.lycee.PfmpTerminee"),
           ("ce_time", b"2025-10-06T08:30:00.000Z"), ("ce_specversion", b"1.0"),
           ("content-type", b"application/avro")]
VALUE = b"\xc3\x01hello"

# docs/contrats.md: the domain tag, then len32(name) name len32(value) value for each signed header
# in the documented order, then len32(value) value. len32 is 4 bytes BIG-endian.
SIGNED_INPUT = (
    b"ambition-signature-v1"
    b"\x00\x00\x00\x10" b"ambition-partner" b"\x00\x00\x00\x0e" b"lycee:0753268V"
    b"\x00\x00\x00\x05" b"ce_id" b"\x00\x00\x00\x24" b"5f0c1a2e-3b4d-4c6e-8f70-9a1b2c3d4e5f"
    b"\x00\x00\x00\x09" b"ce_source" b"\x00\x00\x00\x0e" b"lycee:0753268V"
    b"\x00\x00\x00\x07" b"ce_type" b"\x00\x00\x00\x1b" b"ambition.lycee.PfmpTerminee"
    b"\x00\x00\x00\x07" b"ce_time" b"\x00\x00\x00\x18" b"2025-10-06T08:30:00.000Z"
    b"\x00\x00\x00\x0e" b"ce_specversion" b"\x00\x00\x00\x03" b"1.0"
    b"\x00\x00\x00\x0c" b"content-type" b"\x00\x00\x00\x10" b"application/avro"
    b"\x00\x00\x00\x07" b"\xc3\x01hello"
)
# openssl pkeyutl -sign -inkey <RFC 8032 TEST 1 key> -rawin -in <SIGNED_INPUT> | base64
SIGNATURE_B64 = b"E0rtw1SV1kgI2jPkfOOXhW0l5glc5ooX7cSLnTu00fCEMrVJitywkYxCnexiPeKpBXwoZNVFtjLzBvkgis1JAA=="


def test_the_signed_input_is_the_documented_concatenation_with_big_endian_lengths():
    assert signing.signed_bytes(VALUE, HEADERS) == SIGNED_INPUT
    assert len(SIGNED_INPUT) == 292


def test_the_signed_input_ignores_header_order_and_unsigned_headers():
    shuffled = list(reversed(HEADERS)) + [("x-trace", b"anything")]
    assert signing.signed_bytes(VALUE, shuffled) == SIGNED_INPUT


def test_the_signature_of_a_fixed_key_is_the_published_one():
    assert signing.public_key_of(PRIVATE_B64) == PUBLIC_B64
    assert signing.sign(PRIVATE_B64, VALUE, HEADERS) == SIGNATURE_B64


def test_a_signature_made_elsewhere_verifies_and_a_changed_byte_does_not():
    signing.verify(PUBLIC_B64, VALUE, HEADERS + [(signing.SIGNATURE_HEADER, SIGNATURE_B64)])
    raw = bytearray(base64.b64decode(SIGNATURE_B64))
    raw[0] ^= 1
    with pytest.raises(signing.SignatureInvalide):
        signing.verify(PUBLIC_B64, VALUE, HEADERS + [(signing.SIGNATURE_HEADER, base64.b64encode(bytes(raw)))])


# -- Avro: canonical form, fingerprint in both conventions, single-object bytes ------------

# The spec's Parsing Canonical Form of schemas/lycee/PfmpTerminee.v1.avsc: full names, no doc,
# logical types reduced to their primitive, keys in the order name, type, fields.
PFMP_TERMINEE_CANONICAL = (
    '{"name":"ambition.lycee.PfmpTerminee","type":"record","fields":['
    '{"name":"envelope","type":{"name":"ambition.Envelope","type":"record","fields":['
    '{"name":"event_id","type":"string"},{"name":"source","type":"string"},'
    '{"name":"type","type":"string"},{"name":"time","type":"long"},'
    '{"name":"subject","type":"string"}]}},'
    '{"name":"periode_id","type":"string"},{"name":"date_fin","type":"int"}]}'
)
# Framing order (little-endian bytes) and Java's parsingFingerprint64 printed as hex.
FINGERPRINTS = {
    ("ambition.lycee.PfmpTerminee", 1): ("0d7c1db739e2856d", "6d85e239b71d7c0d"),
    ("ambition.lycee.EleveInscrit", 1): ("73d7a44a129d5b8e", "8e5b9d124aa4d773"),
    # the pair a Java integrator reported: parsingFingerprint64 printed as a long is c93a154fd6ee3bd9
    ("ambition.lycee.EleveInscrit", 2): ("d93beed64f153ac9", "c93a154fd6ee3bd9"),
}


def test_the_canonical_form_is_the_one_written_from_the_spec(registry):
    sv = registry.schema("ambition.lycee.PfmpTerminee", 1)
    assert to_parsing_canonical_form(sv.parsed) == PFMP_TERMINEE_CANONICAL


def test_fingerprints_in_both_hex_conventions(registry):
    for (name, version), (framing, java) in FINGERPRINTS.items():
        fp = registry.schema(name, version).fingerprint
        assert fp.hex() == framing, name
        assert f"{int.from_bytes(fp, 'little'):016x}" == java, name
    assert crc64_fingerprint(json.loads(PFMP_TERMINEE_CANONICAL)).hex() == "0d7c1db739e2856d"


SUBJECT = "0123456789abcdef0123456789abcdef"
# C3 01, the fingerprint (framing order), then the Avro binary body, field by field.
PFMP_TERMINEE_BYTES = (
    b"\xc3\x01"
    + bytes.fromhex("0d7c1db739e2856d")
    + b"\x48" + EVENT_ID.encode()                     # string of 36 bytes: zig-zag(36) = 72
    + b"\x1c" + b"lycee:0753268V"                     # 14 -> 28
    + b"\x36" + b"ambition.lycee.PfmpTerminee"        # 27 -> 54
    + bytes.fromhex("80bda28ab766")                   # time 1759739400000 ms: zig-zag 3519478800000, base 128 LE
    + b"\x40" + SUBJECT.encode()                      # 32 -> 64
    + b"\x04" + b"p1"                                 # 2 -> 4
    + bytes.fromhex("d2be02")                         # date 2025-11-01 = day 20393: zig-zag 40786
)


def test_single_object_bytes_of_a_fixed_record(registry):
    record = {"envelope": {"event_id": EVENT_ID, "source": "lycee:0753268V",
                           "type": "ambition.lycee.PfmpTerminee",
                           "time": datetime(2025, 10, 6, 8, 30, tzinfo=timezone.utc), "subject": SUBJECT},
              "periode_id": "p1", "date_fin": date(2025, 11, 1)}
    assert registry.encode("ambition.lycee.PfmpTerminee", record, version=1) == PFMP_TERMINEE_BYTES
    decoded = registry.decode(PFMP_TERMINEE_BYTES)
    assert (decoded.fullname, decoded.version) == ("ambition.lycee.PfmpTerminee", 1)
    assert decoded.record["date_fin"] == date(2025, 11, 1) and decoded.record["periode_id"] == "p1"
    assert decoded.record["envelope"]["event_id"] == EVENT_ID
