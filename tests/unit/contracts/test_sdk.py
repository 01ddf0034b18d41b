"""The SDK checks before sending, fills the envelope and the CloudEvents headers, keys by parcours."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

import pytest

from ambition.config import load_topics
from ambition.pseudonym import cle_parcours
from ambition.sdk import EvenementInvalide, LyceeProducer, MissionLocaleProducer
from contracts_support import INSCRIPTION, FakeKafkaProducer


def last(producer):
    return producer._producer.sent[-1]


def test_enrolment_message_shape(lycee, registry, settings):
    t = datetime(2025, 10, 6, 8, 30, 1, 123456, tzinfo=timezone.utc)
    lycee.eleve_inscrit(**INSCRIPTION, time=t)
    m = last(lycee)
    cle = cle_parcours(INSCRIPTION["ine"], settings.pseudonym_secret)
    # keyed by the lycée's own pseudonym of the élève, never by the platform's parcours key
    assert m["topic"] == load_topics().lycee and m["key"] == lycee.pseudonyme(INSCRIPTION["ine"]).encode()
    assert m["key"] != cle.encode() and len(m["key"]) == 32
    h = dict(m["headers"])
    assert h["ce_type"] == b"ambition.lycee.EleveInscrit" and h["ce_source"] == b"lycee:0753268V"
    assert h["ce_specversion"] == b"1.0" and h["content-type"] == b"application/avro"
    assert h["ce_time"] == b"2025-10-06T08:30:01.123Z"
    uuid.UUID(h["ce_id"].decode())
    record = registry.decode(m["value"]).record
    env = record["envelope"]
    assert env["subject"].startswith("hpke1." + lycee.pseudonyme(INSCRIPTION["ine"]) + ".")
    assert env["event_id"] == h["ce_id"].decode()
    # no identity in clear in the bytes: INE, names, birth date are sealed
    assert {"ine", "nom", "prenom", "date_naissance", "accompagnement_handicap"}.isdisjoint(record)
    for clear in (b"0123456789", b"Martin", b"Lina", b"2006-03-14"):
        assert clear not in m["value"] and clear not in m["key"]
    assert env["time"] == t.replace(microsecond=123000)


def test_event_id_can_be_given_to_resend(lycee):
    eid = str(uuid.uuid4())
    lycee.abandon_declare(cle=INSCRIPTION["ine"], date=date(2025, 11, 1), event_id=eid)
    assert dict(last(lycee)["headers"])["ce_id"] == eid.encode()


@pytest.mark.parametrize("change,code", [
    (dict(ine="123"), "INE_INVALIDE"),
    (dict(uai="0753268A"), "UAI_INVALIDE"),
    (dict(mission_locale_pressentie="13002526500014"), "SIRET_INVALIDE"),
    (dict(date_fin_prevue=date(2025, 9, 1)), "DATE_INVALIDE"),
    (dict(event_id="123"), "ENVELOPPE_INVALIDE"),
])
def test_invalid_enrolment_is_refused_before_sending(lycee, change, code):
    with pytest.raises(EvenementInvalide) as exc:
        lycee.eleve_inscrit(**{**INSCRIPTION, **change})
    assert exc.value.code == code and isinstance(exc.value, ValueError)
    assert lycee._producer.sent == []
    assert "123" not in str(exc.value) or code != "INE_INVALIDE"


def test_bad_siret_and_bad_cle_are_refused(ml):
    with pytest.raises(EvenementInvalide, match="SIRET_INVALIDE"):
        ml.stage_debute(cle=INSCRIPTION["ine"], periode_id="s", nature="STAGE", siret="1234",
                        date_debut=date(2025, 10, 1), date_fin_prevue=date(2025, 10, 5))
    with pytest.raises(EvenementInvalide, match="SUJET_INVALIDE"):
        ml.pacea_signe(cle="b" * 32, date_signature=date(2025, 10, 1))  # the old shared-secret key
    assert ml._producer.sent == []
    ml.pacea_signe(cle="0123456789A", date_signature=date(2025, 10, 1))  # an INE: the SDK seals it
    assert b"0123456789A" not in ml._producer.sent[-1]["value"]


def test_an_unknown_enum_symbol_is_refused(ml):
    with pytest.raises(ValueError, match="ENCODAGE_IMPOSSIBLE|does not match"):
        ml.bilan_realise(cle=INSCRIPTION["ine"], date=date(2025, 12, 1), issue="RETRAITE")


def test_versions_that_carried_the_identity_in_clear_are_no_longer_written(lycee, registry):
    for version in (1, 2):
        with pytest.raises(ValueError, match="identity in clear"):
            lycee.eleve_inscrit(**INSCRIPTION, version=version)
    assert lycee._producer.sent == []
    lycee.eleve_inscrit(**INSCRIPTION)
    assert registry.decode(last(lycee)["value"]).version == 3


def test_credentials_of_another_partner_type_are_refused(creds, settings, registry):
    with pytest.raises(ValueError, match="needs LYCEE credentials"):
        LyceeProducer(creds["ml:13002526500013"], settings=settings, registry=registry,
                      producer=FakeKafkaProducer())
    assert MissionLocaleProducer(creds["ml:13002526500013"], settings=settings, registry=registry,
                                 producer=FakeKafkaProducer()).topic == load_topics().missionlocale


def test_credentials_never_print_the_key(creds):
    c = creds["lycee:0753268V"]
    assert c.private_key not in repr(c)
