"""Bounded input: sizes and lengths refused with their reason code when a message is read, the
signature checked before the body is decoded, every signed header checked."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.contracts import bornes, signing
from ambition.contracts.inbound import Rejet, lire
from ambition.sdk.base import EvenementInvalide

from contracts_support import INSCRIPTION

INE = INSCRIPTION["ine"]


def code_of(*args) -> str:
    with pytest.raises(Rejet) as exc:
        lire(*args)
    return exc.value.code


def resign(producer, value, headers):
    h = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    return h + [(signing.SIGNATURE_HEADER, signing.sign(producer.credentials.private_key, value, h))]


def changed(headers, name, value: bytes):
    return [(k, value if k == name else v) for k, v in headers]


def test_a_300_character_referent_is_refused_by_the_sdk_and_by_the_platform(lycee, registry, directory):
    cle = INE
    with pytest.raises(EvenementInvalide) as exc:
        lycee.referent_change(cle=cle, referent="R" * 201, date_effet=date(2025, 10, 1))
    assert exc.value.code == "CHAMP_TROP_LONG" and "R" * 10 not in str(exc.value)
    value, headers = lycee.build("ReferentChange", cle, dict(referent="R" * 200, date_effet=date(2025, 10, 1)))
    record = registry.decode(value).record
    record["referent"] = "R" * 300  # a partner bypassing the SDK, signing with its own key
    value = registry.encode("ambition.lycee.ReferentChange", record)
    assert code_of("LYCEE", value, resign(lycee, value, headers), registry, directory) == "CHAMP_TROP_LONG"
    # 200 characters, the read models' VARCHAR(200), still fit
    lycee.referent_change(cle=cle, referent="R" * 200, date_effet=date(2025, 10, 1))


def test_a_5000_character_unsigned_header_is_refused(lycee, registry, directory):
    value, headers = lycee.build("PfmpTerminee", INE, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    assert lire("LYCEE", value, headers, registry, directory).type == "PfmpTerminee"
    long_header = headers + [("ambition-retry-id", b"x" * 5000)]
    assert code_of("LYCEE", value, long_header, registry, directory) == "ENTETE_INVALIDE"
    many = headers + [(f"h{i}", b"") for i in range(bornes.ENTETES_MAX)]
    assert code_of("LYCEE", value, many, registry, directory) == "ENTETE_INVALIDE"


def test_a_bilan_with_five_million_participants_is_refused_before_decoding(ml, registry, directory, monkeypatch):
    value, headers = ml.build("BilanRealise", INE, dict(
        date=date(2025, 12, 1), participants=["JEUNE"], issue="EMPLOI", detail=None))
    record = registry.decode(value).record
    record["participants"] = ["JEUNE"] * 5_000_000
    huge = registry.encode("ambition.missionlocale.BilanRealise", record)
    assert len(huge) > bornes.MESSAGE_MAX
    monkeypatch.setattr(registry, "decode", lambda *a, **k: pytest.fail("decoded a message over the bound"))
    assert code_of("MISSION_LOCALE", huge, resign(ml, huge, headers), registry, directory) == "MESSAGE_TROP_GRAND"


def test_eleven_participants_within_the_size_bound_are_still_refused(ml, registry, directory):
    value, headers = ml.build("BilanRealise", INE, dict(
        date=date(2025, 12, 1), participants=["JEUNE"], issue="EMPLOI", detail=None))
    record = registry.decode(value).record
    record["participants"] = ["JEUNE"] * (bornes.LISTE_MAX["participants"] + 1)
    value = registry.encode("ambition.missionlocale.BilanRealise", record)
    assert code_of("MISSION_LOCALE", value, resign(ml, value, headers), registry, directory) == "CHAMP_TROP_LONG"


def test_an_unsigned_message_is_never_decoded(lycee, registry, directory, monkeypatch):
    value, headers = lycee.build("PfmpTerminee", INE, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    unsigned = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    monkeypatch.setattr(registry, "decode", lambda *a, **k: pytest.fail("decoded before the signature"))
    assert code_of("LYCEE", value, unsigned, registry, directory) == "SIGNATURE_INVALIDE"


@pytest.mark.parametrize("header,value", [
    ("ce_time", b"2030-01-01T00:00:00.000Z"), ("ce_specversion", b"0.3"), ("content-type", b"application/json")])
def test_every_signed_header_is_checked(header, value, lycee, registry, directory):
    good, headers = lycee.build("PfmpTerminee", INE, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    h = resign(lycee, good, changed(headers, header, value))
    assert code_of("LYCEE", good, h, registry, directory) == "ENVELOPPE_INVALIDE"


def test_a_subject_ending_in_a_newline_is_refused_at_once(lycee, registry, directory):
    value, headers = lycee.build("PfmpTerminee", INE, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    record = registry.decode(value).record
    record["envelope"]["subject"] = INE + "\n"
    value = registry.encode("ambition.lycee.PfmpTerminee", record)
    assert code_of("LYCEE", value, resign(lycee, value, headers), registry, directory) == "SUJET_INVALIDE"
