"""Personal data through a running platform, on SQLite and on PostgreSQL.

Erasure by crypto-shredding: an élève is enrolled, refused once (its identity then sits in the
refusals), forgotten through the API by its lycée; its view shows "identité effacée", and no
store holds its INE, names or birth date in clear: event store, parking, read models,
refusals, and every topic of the broker.

Hostile input: the messages of the privacy review (over-long fields and headers, an oversized
bilan, unsigned bulk, a subject ending in a newline, unchecked signed headers) are each refused
with their code, and the views keep advancing."""
from __future__ import annotations

import uuid
from datetime import date
from pathlib import Path

import httpx
import psycopg
import pytest
from kafka import KafkaConsumer
from platform_support import arreter, demarrer

from ambition.config import load_topics
from ambition.contracts.partners import demo_partners
from ambition.sdk.lycee import LyceeProducer

pytestmark = pytest.mark.e2e

INE = "7777777777" + "Q"  # synthetic élève with unmistakable values
NOM, PRENOM, NAISSANCE = "Quatrefages", "Zephyrine", date(2008, 3, 14)
VALEURS = [v.encode() for v in (INE, NOM, PRENOM, NAISSANCE.isoformat(), NAISSANCE.strftime("%d/%m/%Y"))]
ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=5"


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def plateforme(request, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp(request.param)
    env, dsn = {}, None
    if request.param == "postgres":
        nom = f"ambition_oubli_{uuid.uuid4().hex[:10]}"
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{nom}"')
        dsn = f"postgresql://postgres@127.0.0.1:5432/{nom}"
        env = {"AMBITION_EVENT_STORE": dsn, "AMBITION_READ_STORE": dsn}
    running = demarrer(tmp_path, **env)
    try:
        yield running, dsn
    finally:
        arreter(running)
        if dsn:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{dsn.rsplit("/", 1)[1]}" WITH (FORCE)')


def _eleve(**extra):
    return dict(ine=INE, nom=NOM, prenom=PRENOM, date_naissance=NAISSANCE, diplome="CAP",
                session_examen=2026, resultat_examen="ECHEC", en_emploi=False, en_formation=False,
                consentement_eleve=True, consentement_representant_legal=True, referent="M. Durand",
                date_debut=date(2026, 9, 14), date_fin_prevue=date(2026, 12, 18),
                accompagnement_handicap=True, **extra)


def _octets_des_stores(var: Path, dsn: str | None) -> bytes:
    """Every byte the stores hold: the SQLite files (and their logs), or every row of every
    table of the PostgreSQL database (event store, parking, identities, read models, refusals)."""
    if dsn is None:
        return b"".join(p.read_bytes() for p in sorted(var.rglob("*.sqlite*")))
    out = []
    with psycopg.connect(dsn) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT quote_ident(table_schema) || '.' || quote_ident(table_name) FROM information_schema.tables "
            "WHERE table_schema NOT IN ('pg_catalog', 'information_schema')")]
        assert any("identites" in t for t in tables) and any("vue_refus" in t for t in tables)
        for table in tables:
            for row in conn.execute(f"SELECT * FROM {table}"):
                out += [bytes(v) if isinstance(v, (bytes, memoryview)) else str(v).encode() for v in row]
    return b"\n".join(out)


def _octets_des_topics(bootstrap: str) -> tuple[int, bytes]:
    topics = load_topics()
    consumer = KafkaConsumer(*topics.all(), bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                             enable_auto_commit=False, consumer_timeout_ms=5000)
    try:
        records = [r for r in consumer]
    finally:
        consumer.close()
    out = [b"".join([r.key or b"", r.value or b""] + [k.encode() + (v or b"") for k, v in r.headers])
           for r in records]
    return len(records), b"\n".join(out)


def test_a_forgotten_eleve_leaves_no_readable_identity_in_any_store(plateforme):
    running, dsn = plateforme
    lycee = next(c for c in demo_partners(running.settings) if c.partner_id == "lycee:0753268V")
    with LyceeProducer(lycee, settings=running.settings) as p:
        p.eleve_inscrit(**_eleve())
        view = running.wait_for("/v1/lycees/0753268V/eleves", lambda b: b["total"] == 1,
                                actor="lycee:0753268V", as_of="2026-10-01")
        item = view["items"][0]
        assert (item["nom"], item["prenom"], item["identite"]) == (NOM, PRENOM, "disponible")
        p.eleve_inscrit(**_eleve())  # a second enrolment while the first is open: refused, kept
    running.wait_for("/v1/psad/synthese", lambda b: b["refus"].get("UN_SEUL_PARCOURS") == 1)

    r = httpx.post(f"{running.base_url}/v1/parcours/{item['parcours_id']}/oubli",
                   headers={"Authorization": f"Bearer {running.tokens['ml:13002526500013']}"})
    assert r.status_code == 404  # not its lycée: the answer of an unknown parcours
    r = httpx.post(f"{running.base_url}/v1/parcours/{item['parcours_id']}/oubli",
                   headers={"Authorization": f"Bearer {running.tokens['lycee:0753268V']}"})
    assert r.status_code == 200 and r.json()["identite"] == "identité effacée"

    after = running.get("/v1/lycees/0753268V/eleves", "lycee:0753268V", as_of="2026-10-01")["items"][0]
    assert (after["nom"], after["prenom"], after["identite"]) == (None, None, "identité effacée")
    assert after["droits"]["accompagnement_handicap"] is None
    timeline = running.get(f"/v1/parcours/{item['parcours_id']}/chronologie", "lycee:0753268V")
    assert timeline["total"] >= 1  # the pseudonymous history stays

    stores = _octets_des_stores(running.settings.var_dir, dsn)
    n, topics = _octets_des_topics(running.settings.kafka_bootstrap)
    assert len(stores) > 1_000 and n >= 4  # enrolment, refusal, domain event(s): something was scanned
    for valeur in VALEURS:
        assert valeur not in stores, f"{valeur!r} readable in a store"
        assert valeur not in topics, f"{valeur!r} readable on a topic"


def test_the_review_s_hostile_messages_are_refused_and_the_views_keep_advancing(plateforme):
    from ambition.contracts import signing
    from ambition.contracts.codec import Registry
    from ambition.sdk.missionlocale import MissionLocaleProducer

    running, _ = plateforme
    creds = {c.partner_id: c for c in demo_partners(running.settings)}
    registry = Registry.load(running.settings.schemas_dir)
    lycee = LyceeProducer(creds["lycee:0010001W"], settings=running.settings)
    ml = MissionLocaleProducer(creds["ml:13002526500013"], settings=running.settings)

    def signe(p, value, headers):
        h = [(k, v) for k, v in headers if k != signing.SIGNATURE_HEADER]
        return h + [(signing.SIGNATURE_HEADER, signing.sign(p.credentials.private_key, value, h))]

    ine = "8888888888" + "R"
    attendus = {}

    def referent():  # a fresh event id each: each refusal counts once, by (partner, event id)
        return lycee.build("ReferentChange", ine, dict(referent="R", date_effet=date(2026, 10, 1)))

    value, headers = referent()
    rec = registry.decode(value).record
    rec["referent"] = "R" * 300
    long_ = registry.encode("ambition.lycee.ReferentChange", rec)
    lycee.send_raw(long_, signe(lycee, long_, headers), b"k")
    attendus["CHAMP_TROP_LONG"] = 1
    value, headers = referent()
    lycee.send_raw(value, headers + [("ambition-retry-id", b"x" * 5000)], b"k")
    attendus["ENTETE_INVALIDE"] = 1
    value_b, headers_b = ml.build("BilanRealise", ine, dict(date=date(2026, 12, 1), participants=["JEUNE"],
                                                            issue="EMPLOI", detail=None))
    rec = registry.decode(value_b).record
    rec["participants"] = ["JEUNE"] * 200_000
    enorme = registry.encode("ambition.missionlocale.BilanRealise", rec)
    ml.send_raw(enorme, signe(ml, enorme, headers_b), b"k")
    ml.send_raw(b"\xc3\x01" + b"\x00" * 900_000, [], b"k")  # unsigned bulk
    attendus["MESSAGE_TROP_GRAND"] = 2
    value, headers = referent()
    rec = registry.decode(value).record
    rec["envelope"]["subject"] = "a" * 32 + "\n"
    nl = registry.encode("ambition.lycee.ReferentChange", rec)
    lycee.send_raw(nl, signe(lycee, nl, headers), b"k")
    attendus["SUJET_INVALIDE"] = 1
    value, headers = referent()
    spec = [(k, b"0.3" if k == "ce_specversion" else v) for k, v in headers]
    lycee.send_raw(value, signe(lycee, value, spec), b"k")
    attendus["ENVELOPPE_INVALIDE"] = 1
    # then a good enrolment: it must reach the views
    lycee.eleve_inscrit(**{**_eleve(), "ine": ine, "uai": "0010001W"})
    lycee.close()
    ml.close()

    running.wait_for("/v1/lycees/0010001W/eleves", lambda b: b["total"] == 1, actor="lycee:0010001W",
                     timeout=120, as_of="2026-10-01")
    synthese = running.wait_for("/v1/psad/synthese", lambda b: all(
        b["refus"].get(code, 0) >= n for code, n in attendus.items()), timeout=120)
    assert {c: synthese["refus"][c] for c in attendus} == attendus
    r = httpx.get(f"{running.base_url}/v1/lycees/0010001W/eleves", params={"offset": "9223372036854775808"},
                  headers={"Authorization": f"Bearer {running.tokens['lycee:0010001W']}"})
    assert r.status_code == 422 and r.headers["cache-control"] == "no-store"
