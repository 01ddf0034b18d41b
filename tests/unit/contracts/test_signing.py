import base64

import pytest

from ambition.contracts import signing


def headers():
    return [("ambition-partner", b"lycee:0753268V"), ("ce_id", b"id"), ("ce_source", b"lycee:0753268V"),
            ("ce_type", b"t"), ("ce_time", b"2025-10-06T08:30:00.000Z"), ("ce_specversion", b"1.0"),
            ("content-type", b"application/avro")]


def test_valid_signature_verifies():
    private, public = signing.new_key_pair()
    h = headers()
    h.append(("ambition-signature", signing.sign(private, b"value", h)))
    signing.verify(public, b"value", h)


@pytest.mark.parametrize("tamper", ["value", "header", "key", "missing", "garbage", "truncated",
                                    "extended", "bit"])
def test_forged_or_missing_signature_fails(tamper):
    private, public = signing.new_key_pair()
    h = headers()
    sig = signing.sign(private, b"value", h)
    value = b"value"
    if tamper == "value":
        value = b"valuf"
    elif tamper == "header":
        h[1] = ("ce_id", b"other")
    elif tamper == "key":
        sig = signing.sign(signing.new_key_pair()[0], b"value", h)
    elif tamper == "garbage":
        sig = b"not base64!!"
    elif tamper in ("truncated", "extended", "bit"):  # valid base64, not a 64-byte signature
        raw = base64.b64decode(sig)
        raw = {"truncated": raw[:63], "extended": raw + b"\x00",
               "bit": raw[:10] + bytes([raw[10] ^ 1]) + raw[11:]}[tamper]
        sig = base64.b64encode(raw)
    if tamper != "missing":
        h.append(("ambition-signature", sig))
    with pytest.raises(signing.SignatureInvalide):
        signing.verify(public, value, h)


def test_concatenation_is_unambiguous():
    a = headers(); a[1] = ("ce_id", b"ab")
    b = headers(); b[1] = ("ce_id", b"a")
    assert signing.signed_bytes(b"c", a) != signing.signed_bytes(b"bc", b)
