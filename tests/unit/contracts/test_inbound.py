"""``lire``: every bad input gets its own reason code, and good messages are accepted."""
from __future__ import annotations

from datetime import date

import pytest

from ambition.contracts import signing
from ambition.contracts.codec import MAGIC
from ambition.contracts.inbound import MessageLu, Rejet, lire
from ambition.pseudonym import cle_parcours

from contracts_support import INSCRIPTION, FakeKafkaProducer, resceller

INE = INSCRIPTION["ine"]


def sent(producer):
    m = producer._producer.sent[-1]
    return m["value"], m["headers"]


def resign(producer, value, headers):
    """Re-sign altered bytes with the producer's own key (a real partner sending bad content)."""
    h = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    h.append((signing.SIGNATURE_HEADER, signing.sign(producer.credentials.private_key, value, h)))
    return h


def code_of(*args):
    with pytest.raises(Rejet) as exc:
        lire(*args)
    return exc.value


def test_a_good_enrolment_is_read(lycee, registry, directory, settings):
    lycee.eleve_inscrit(**INSCRIPTION)
    value, headers = sent(lycee)
    lu = lire("LYCEE", value, headers, registry, directory)
    assert isinstance(lu, MessageLu)
    assert (lu.fullname, lu.type, lu.partner_type, lu.partner_id, lu.identifiant) == (
        "ambition.lycee.EleveInscrit", "EleveInscrit", "LYCEE", "lycee:0753268V", "0753268V")
    # the platform opens the sealed subject and identity: the parcours key is its own secret's
    assert lu.cle == cle_parcours(INE, settings.pseudonym_secret)
    assert lu.envelope["subject"].startswith("hpke1.") and INE not in lu.envelope["subject"]
    assert "envelope" not in lu.payload and lu.payload["ine"] == INE and lu.payload["nom"] == "Martin"
    assert isinstance(lu.envelope["event_id"], str)
    # the Kafka key is the lycée's own pseudonym of the élève: stable, never the parcours key
    assert lycee._producer.sent[-1]["key"] == lycee.pseudonyme(INE).encode() != lu.cle.encode()


def test_same_event_resent_has_same_empreinte(lycee, registry, directory):
    from datetime import datetime, timezone
    t = datetime(2025, 10, 6, tzinfo=timezone.utc)
    eid = "5b0c6f3e-0000-4000-8000-000000000001"
    lycee.eleve_inscrit(**INSCRIPTION, event_id=eid, time=t)
    a = lire("LYCEE", *sent(lycee), registry, directory)
    later = datetime(2025, 10, 7, tzinfo=timezone.utc)  # a retry: new envelope time, same fact
    lycee.eleve_inscrit(**INSCRIPTION, event_id=eid, time=later)
    b = lire("LYCEE", *sent(lycee), registry, directory)
    assert a.empreinte == b.empreinte and a.envelope["event_id"] == eid
    lycee.eleve_inscrit(**{**INSCRIPTION, "referent": "Quelqu'un d'autre"}, event_id=eid, time=t)
    c = lire("LYCEE", *sent(lycee), registry, directory)
    assert c.empreinte != a.empreinte  # same id, other content: a conflict for the aggregate


def test_framing_codes(lycee, registry, directory):
    lycee.eleve_inscrit(**INSCRIPTION)
    value, headers = sent(lycee)
    assert code_of("LYCEE", value[:6], headers, registry, directory).code == "MESSAGE_TRONQUE"
    assert code_of("LYCEE", None, headers, registry, directory).code == "MESSAGE_TRONQUE"
    assert code_of("LYCEE", b"{\"json\": 1}", headers, registry, directory).code == "MAGIQUE_INVALIDE"
    assert code_of("LYCEE", MAGIC + b"\x01" * 8 + value[10:], headers, registry, directory).code == "SCHEMA_INCONNU"
    # the body is decoded only once the signature holds: unsigned garbage costs no decoding
    assert code_of("LYCEE", value[:40], headers, registry, directory).code == "SIGNATURE_INVALIDE"
    signed = resign(lycee, value[:40], headers)
    assert code_of("LYCEE", value[:40], signed, registry, directory).code == "DECODAGE_IMPOSSIBLE"


@pytest.mark.parametrize("case", ["forged", "missing", "unknown_partner", "no_partner", "tampered_header"])
def test_signature_codes(case, lycee, registry, directory):
    lycee.eleve_inscrit(**INSCRIPTION)
    value, headers = sent(lycee)
    if case == "forged":
        headers = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
        headers.append((signing.SIGNATURE_HEADER, signing.sign(signing.new_key_pair()[0], value, headers)))
    elif case == "missing":
        headers = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
    elif case == "unknown_partner":
        headers = [(k, b"lycee:0010002X" if k == signing.PARTNER_HEADER else v) for k, v in headers]
    elif case == "no_partner":
        headers = [(k, v) for k, v in headers if k != signing.PARTNER_HEADER]
    elif case == "tampered_header":
        headers = [(k, b"2030-01-01T00:00:00.000Z" if k == "ce_time" else v) for k, v in headers]
    r = code_of("LYCEE", value, headers, registry, directory)
    assert r.code == "SIGNATURE_INVALIDE"


def test_another_partner_signing_as_itself_cannot_claim_a_lycee_source(lycee, creds, registry, directory):
    """A registered partner signs correctly but claims another partner's source."""
    other = creds["lycee:0010001W"]
    lycee.eleve_inscrit(**INSCRIPTION)
    value, headers = sent(lycee)
    h = [(k, other.partner_id.encode() if k == signing.PARTNER_HEADER else v)
         for k, v in headers if k != signing.SIGNATURE_HEADER]
    h.append((signing.SIGNATURE_HEADER, signing.sign(other.private_key, value, h)))
    assert code_of("LYCEE", value, h, registry, directory).code == "ENVELOPPE_INVALIDE"


def test_envelope_type_must_be_the_record(lycee, registry, directory):
    cle = lycee.cle(INE)
    value, headers = lycee.build("PfmpTerminee", cle, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    record = registry.decode(value).record
    record["envelope"]["type"] = "ambition.lycee.AbandonDeclare"
    value = registry.encode("ambition.lycee.PfmpTerminee", record)
    assert code_of("LYCEE", value, resign(lycee, value, headers), registry, directory).code == "ENVELOPPE_INVALIDE"


def test_event_id_must_be_a_uuid(lycee, registry, directory):
    value, headers = lycee.build("PfmpTerminee", lycee.cle(INE), dict(periode_id="p", date_fin=date(2025, 11, 1)))
    record = registry.decode(value).record
    record["envelope"]["event_id"] = "not-a-uuid"
    value = registry.encode("ambition.lycee.PfmpTerminee", record)
    headers = [(k, b"not-a-uuid" if k == "ce_id" else v) for k, v in headers]
    r = code_of("LYCEE", value, resign(lycee, value, headers), registry, directory)
    assert r.code == "ENVELOPPE_INVALIDE" and r.event_id is None


def test_type_hors_topic(ml, registry, directory):
    ml.pacea_signe(cle=INE, date_signature=date(2025, 10, 2))
    value, headers = sent(ml)
    r = code_of("LYCEE", value, headers, registry, directory)
    assert r.code == "TYPE_HORS_TOPIC" and r.partner_id == "ml:13002526500013"
    assert lire("MISSION_LOCALE", value, headers, registry, directory).type == "PaceaSigne"


def test_domain_event_on_a_partner_topic(lycee, registry, directory):
    from ambition.contracts.exemples import exemple
    sv = registry.schema("ambition.parcours.EleveInscrit")
    record = exemple(sv.raw)
    record["envelope"]["source"] = lycee.credentials.partner_id
    value = registry.encode(sv.fullname, record)
    _, headers = lycee.build("PfmpTerminee", INE, dict(periode_id="p", date_fin=date(2025, 11, 1)))
    from ambition.contracts.inbound import rfc3339
    headers = [(k, record["envelope"]["event_id"].encode() if k == "ce_id" else
                sv.fullname.encode() if k == "ce_type" else
                rfc3339(record["envelope"]["time"]).encode() if k == "ce_time" else v) for k, v in headers]
    assert code_of("LYCEE", value, resign(lycee, value, headers), registry, directory).code == "TYPE_HORS_TOPIC"


def test_a_lycee_cannot_sign_mission_locale_events(lycee, registry, directory):
    from ambition.sdk.missionlocale import MissionLocaleProducer
    value, headers = MissionLocaleProducer.build(
        _as(lycee, "ambition.missionlocale"), "PaceaSigne", INE, dict(date_signature=date(2025, 10, 2)))
    assert code_of("MISSION_LOCALE", value, headers, registry, directory).code == "EMETTEUR_AUTORISE"


def _as(producer, namespace):
    producer.namespace = namespace  # instance attribute: build() emits in that namespace
    return producer


def test_a_lycee_enrols_only_in_its_own_uai(lycee, registry, directory):
    lycee.eleve_inscrit(**INSCRIPTION, uai="0010001W")
    assert code_of("LYCEE", *sent(lycee), registry, directory).code == "EMETTEUR_AUTORISE"


def _bad_payload(lycee, registry, field, bad, name="EleveInscrit"):
    """An event whose ``field`` is ``bad``, encoded and properly signed (bypassing the SDK's checks)."""
    if name == "EleveInscrit":
        lycee.eleve_inscrit(**INSCRIPTION)
    else:
        lycee.pfmp_debutee(cle=INE, periode_id="p", siret="44321868900018",
                           date_debut=date(2025, 10, 1), date_fin_prevue=date(2025, 10, 20))
    value, headers = sent(lycee)
    decoded = registry.decode(value)
    record = decoded.record
    if field == "subject":
        record["envelope"]["subject"] = bad
    elif field in ("ine", "nom", "prenom", "date_naissance"):
        record = resceller(lycee, record, **{field: bad})
    else:
        record[field] = bad
    value = registry.encode(decoded.fullname, record)
    return value, resign(lycee, value, headers)


@pytest.mark.parametrize("name,field,bad,code", [
    ("EleveInscrit", "uai", "0753268A", "UAI_INVALIDE"),
    ("PfmpDebutee", "siret", "44321868900019", "SIRET_INVALIDE"),
    ("EleveInscrit", "ine", "0123456789", "INE_INVALIDE"),
    ("EleveInscrit", "date_fin_prevue", date(2025, 9, 1), "DATE_INVALIDE"),
    ("PfmpDebutee", "date_debut", date(1999, 12, 31), "DATE_INVALIDE"),
    ("EleveInscrit", "session_examen", 1925, "DATE_INVALIDE"),
    ("EleveInscrit", "subject", "0123456789A", "SUJET_INVALIDE"),
    ("EleveInscrit", "subject", "b" * 32, "SUJET_INVALIDE"),
    ("PfmpDebutee", "subject", "ZZ", "SUJET_INVALIDE"),
])
def test_identifier_codes(name, field, bad, code, lycee, registry, directory):
    value, headers = _bad_payload(lycee, registry, field, bad, name)
    r = code_of("LYCEE", value, headers, registry, directory)
    # an enrolment in another UAI than the sender's is refused before the UAI check
    assert r.code == ("EMETTEUR_AUTORISE" if field == "uai" else code)
    assert r.event_id and r.partner_id == "lycee:0753268V"


def test_invalid_uai_of_the_sender_itself(settings, registry):
    """A directory entry with a bad UAI would be caught by UAI_INVALIDE (the uai equals the sender's)."""
    from ambition.contracts.partners import Credentials, Partner, PartnerDirectory
    from ambition.identite.scellement import CLE_DE_TEST, Ouvreur
    from ambition.sdk import LyceeProducer
    private, public = signing.new_key_pair()
    directory = PartnerDirectory([Partner("lycee:0753268A", "LYCEE", "0753268A", public)],
                                 settings.pseudonym_secret, Ouvreur([CLE_DE_TEST]))
    producer = LyceeProducer(Credentials("lycee:0753268A", "LYCEE", "0753268A", private), settings=settings,
                             registry=registry, producer=FakeKafkaProducer())
    with pytest.raises(ValueError) as exc:
        producer.eleve_inscrit(**INSCRIPTION)
    assert exc.value.code == "UAI_INVALIDE"
    value, headers = _raw_enrolment(producer, registry)
    assert code_of("LYCEE", value, headers, registry, directory).code == "UAI_INVALIDE"


def _raw_enrolment(producer, registry):
    from ambition.contracts.exemples import exemple
    sv = registry.schema("ambition.lycee.EleveInscrit")
    record = exemple(sv.raw)
    record["uai"] = producer.credentials.identifiant
    record["envelope"]["source"] = producer.credentials.partner_id
    record["envelope"]["subject"] = producer.cle(INE)
    record["identite"] = resceller(producer, {"identite": lycee_identite(producer)}, ine=INE)["identite"]
    value = registry.encode(sv.fullname, record)
    e = record["envelope"]
    headers = [(signing.PARTNER_HEADER, e["source"].encode()), ("ce_id", e["event_id"].encode()),
               ("ce_source", e["source"].encode()), ("ce_type", sv.fullname.encode()),
               ("ce_time", b"2025-10-06T08:30:00.000Z"), ("ce_specversion", b"1.0"),
               ("content-type", b"application/avro")]
    headers.append((signing.SIGNATURE_HEADER, signing.sign(producer.credentials.private_key, value, headers)))
    return value, headers


def lycee_identite(producer):
    """A sealed identity of this producer (the synthetic élève)."""
    from ambition.contracts.identite import identite_json
    from ambition.identite import scellement
    return scellement.sceller(producer.cle_publique, identite_json(INSCRIPTION | {
        "accompagnement_handicap": False}), producer.credentials.partner_id)


def test_rejet_messages_never_carry_personal_data(lycee, registry, directory):
    for field, bad in (("ine", "0123456789"), ("date_naissance", date(1900, 1, 2))):
        value, headers = _bad_payload(lycee, registry, field, bad)
        r = code_of("LYCEE", value, headers, registry, directory)
        assert "0123456789" not in r.message and "1900" not in r.message and "Martin" not in r.message
