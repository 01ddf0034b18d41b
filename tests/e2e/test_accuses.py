"""Receipts end to end: every partner message gets the right receipt, for its partner only, from
the API and on the receipts topic; a partner's token sees nobody else's; the sandbox answers
what the platform then does; a client in another language, written from docs/integration.md
and docs/contrats.md alone (tests/node/client.mjs: Node.js, avsc, kafkajs, @hpke/core), checks
itself against the test vectors (sealed identities included), gets a fact accepted, enrols an
élève with its identity sealed, and gets the documented refusal for an identity it sealed wrong."""
from __future__ import annotations

import base64
import json
import os
import random
import subprocess
import time
import uuid
from datetime import date, timedelta

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from kafka import KafkaConsumer, TopicPartition
from platform_support import producteurs

from ambition.config import ROOT
from ambition.contracts.identifiants import cle_uai
from ambition.exchange.cohorte import RENTREE, TODAY
from ambition.pseudonym import cle_parcours
from ambition.sdk.consumer import flux
from ambition.simulator import inscription

pytestmark = pytest.mark.e2e
LYCEE, AUTRE, ML = "lycee:0753268V", "lycee:0010001W", "ml:13002526500013"


def accuses(r, actor: str, depuis: int = 0) -> list[dict]:
    return r.get("/v1/partenaires/moi/accuses", actor, depuis=depuis)["accuses"]


def attendre_accuses(r, actor: str, event_ids: set[str], timeout: float = 60) -> dict[str, list[dict]]:
    deadline = time.monotonic() + timeout
    while True:
        par_event: dict[str, list[dict]] = {}
        for a in accuses(r, actor):
            par_event.setdefault(a["event_id"], []).append(a)
        if event_ids <= set(par_event) or time.monotonic() > deadline:
            return par_event
        time.sleep(0.3)


def test_each_message_gets_its_receipt_for_its_partner_only(running):
    r = running
    p = producteurs(r)
    champs, _ = inscription(random.Random(11), "0753268V", RENTREE, TODAY)
    champs.update(diplome="BAC_PRO", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    accepte, refuse, parque = (str(uuid.uuid4()) for _ in range(3))
    p[LYCEE].eleve_inscrit(**champs, event_id=accepte)
    p[LYCEE].eleve_inscrit(**champs, event_id=accepte)  # the same event again
    bts, _ = inscription(random.Random(12), "0753268V", RENTREE, TODAY)
    bts.update(diplome="BTS", specialite="Management", session_examen=RENTREE.year, en_emploi=False)
    p[LYCEE].eleve_inscrit(**bts, event_id=refuse)
    jamais_inscrit = inscription(random.Random(99), "0753268V", RENTREE, TODAY)[0]["ine"]
    p[ML].accueil_realise(cle=jamais_inscrit, conseiller="C. Roux", date=TODAY, event_id=parque)

    recus = attendre_accuses(r, LYCEE, {accepte, refuse})
    assert sorted(a["statut"] for a in recus[accepte]) == ["accepte", "doublon"]
    [refus] = recus[refuse]
    assert (refus["statut"], refus["code"], refus["authentifie"]) == ("refuse", "ELIGIBILITE_DIPLOME", True)
    assert refus["message"] and refus["type"] == "ambition.lycee.EleveInscrit"
    ml = attendre_accuses(r, ML, {parque})
    assert [(a["statut"], a["code"]) for a in ml[parque]] == [("parque", None)]

    assert {a["partenaire"] for a in accuses(r, LYCEE)} == {LYCEE}
    assert parque not in {a["event_id"] for a in accuses(r, LYCEE)}
    assert not {accepte, refuse, parque} & {a["event_id"] for a in accuses(r, AUTRE)}
    toutes = json.dumps(accuses(r, LYCEE) + accuses(r, ML))
    for personnel in (champs["ine"], champs["nom"], bts["ine"], bts["nom"], champs["date_naissance"].isoformat()):
        assert personnel not in toutes

    derniere = accuses(r, LYCEE)[-1]["position"]  # resuming after the last position gives nothing new
    assert accuses(r, LYCEE, depuis=derniere) == []
    psad = httpx.get(f"{r.base_url}/v1/partenaires/moi/accuses",
                     headers={"Authorization": f"Bearer {r.tokens['psad:national']}"})
    assert psad.status_code == 403
    assert httpx.get(f"{r.base_url}/v1/partenaires/moi/accuses").status_code == 401

    sur_topic = lire_topic(r.settings.bootstrap, r.settings.topics.accuses, {accepte, refuse, parque})
    assert {(k, d["event_id"], d["statut"]) for k, d in sur_topic} >= {
        (LYCEE, accepte, "accepte"), (LYCEE, accepte, "doublon"), (LYCEE, refuse, "refuse"),
        (ML, parque, "parque")}


def test_the_sdk_reads_its_receipts(running):
    r = running
    p = producteurs(r)
    eid = str(uuid.uuid4())
    bts, _ = inscription(random.Random(13), "0010001W", RENTREE, TODAY)
    bts.update(diplome="BTS", specialite="Management")
    from ambition.sdk import LyceeProducer
    from ambition.contracts.partners import demo_partners
    creds = next(c for c in demo_partners(r.settings) if c.partner_id == AUTRE)
    with LyceeProducer(creds, settings=r.settings, api_token=r.tokens[AUTRE]) as lycee:
        lycee.eleve_inscrit(**bts, event_id=eid)
        deadline = time.monotonic() + 60
        while not [a for a in lycee.accuses() if a["event_id"] == eid]:
            assert time.monotonic() < deadline, "no receipt"
            time.sleep(0.3)
        [a] = [a for a in lycee.accuses() if a["event_id"] == eid]
    assert a["statut"] == "refuse" and a["code"] == "ELIGIBILITE_DIPLOME"
    del p


def lire_topic(bootstrap: str, topic: str, event_ids: set[str], timeout: float = 30) -> list:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=1000)
    parts = [TopicPartition(topic, n) for n in consumer.partitions_for_topic(topic)]
    consumer.assign(parts)
    consumer.seek_to_beginning(*parts)
    vus, deadline = [], time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            for m in consumer:
                vus.append((m.key.decode(), json.loads(m.value)))
            if event_ids <= {d["event_id"] for _, d in vus}:
                break
    finally:
        consumer.close()
    return vus


def document(topic: str, key: bytes | None, value: bytes, headers) -> dict:
    """A message as docs/integration.md writes it for the sandbox and the test vectors."""
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return {"topic": topic, "key": None if key is None else b64(key), "value": b64(value),
            "headers": [[n, b64(v)] for n, v in headers]}


def test_the_sandbox_answers_what_the_platform_then_does(running):
    r = running
    p = producteurs(r)
    lycee, ml = p["lycee:0750650" + cle_uai("0750650")], p[ML]
    lid = lycee.credentials.partner_id
    champs, _ = inscription(random.Random(21), lycee.credentials.identifiant, RENTREE, TODAY)
    champs.update(diplome="CAP", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    cle = lycee.cle(champs["ine"])
    uai = {"uai": lycee.credentials.identifiant, "mission_locale_pressentie": None}
    inscrit = lycee.build("EleveInscrit", cle, {**champs, **uai})
    bts_champs = {**champs, "ine": champs["ine"][:-1] + "Z", "diplome": "BTS"}
    bts = lycee.build("EleveInscrit", lycee.cle(bts_champs["ine"]), {**bts_champs, **uai})
    altere = (inscrit[0][:-1] + bytes([inscrit[0][-1] ^ 1]), inscrit[1])
    inconnu = inscription(random.Random(98), "0750650Z", RENTREE, TODAY)[0]["ine"]  # never enrolled
    accueil = ml.build("AccueilRealise", inconnu, {"siret": ml.credentials.identifiant,
                                                    "conseiller": "C. Roux", "date": TODAY})
    cas = [(lid, lycee, inscrit, cle, "accepte", None), (lid, lycee, inscrit, cle, "doublon", None),
           (lid, lycee, bts, "b", "refuse", "ELIGIBILITE_DIPLOME"),
           (lid, lycee, altere, cle, "refuse", "SIGNATURE_INVALIDE"),
           (ML, ml, accueil, "k", "parque", None)]
    for actor, producer, (value, headers), key, statut, code in cas:
        doc = document(producer.topic, key.encode(), value, headers)
        sandbox = r.http.post("/v1/bac-a-sable", json=doc,
                              headers={"Authorization": f"Bearer {r.tokens[actor]}"})
        assert sandbox.status_code == 200, sandbox.text
        avant = accuses(r, actor)[-1]["position"] if accuses(r, actor) else 0
        producer.send_raw(value, headers, key.encode())
        deadline = time.monotonic() + 60
        while not (nouveaux := accuses(r, actor, depuis=avant)):
            assert time.monotonic() < deadline, "no receipt"
            time.sleep(0.3)
        [recu] = nouveaux
        assert (sandbox.json()["statut"], sandbox.json()["code"]) == (recu["statut"], recu["code"]) \
            == (statut, code), (sandbox.json(), recu)
    autre = r.http.post("/v1/bac-a-sable", json=document(lycee.topic, None, *inscrit),
                        headers={"Authorization": f"Bearer {r.tokens[AUTRE]}"})
    assert autre.status_code == 403  # another partner's message: not the caller's to test


NODE = ROOT / "tests" / "node"


def node(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    assert (NODE / "node_modules" / "@hpke" / "core").is_dir(), "run `make node` (npm ci in tests/node)"
    return subprocess.run(["node", str(NODE / "client.mjs"), *args], capture_output=True, text=True,
                          timeout=150, env=dict(os.environ, **(env or {})))


def test_the_node_client_agrees_with_every_test_vector():
    done = node("vecteurs", str(ROOT / "docs" / "vecteurs"), str(ROOT / "schemas"))
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["problems"] == [] and report["schemas"] >= 36 and report["rebuilt"] == 3


def test_the_node_client_gets_a_message_accepted_by_a_running_platform(running):
    r = running
    lycee = producteurs(r)[LYCEE]
    champs, _ = inscription(random.Random(41), "0753268V", RENTREE, TODAY)
    champs.update(diplome="CAP", session_examen=RENTREE.year, en_emploi=False, en_formation=False)
    inscrit = str(uuid.uuid4())
    lycee.eleve_inscrit(**champs, event_id=inscrit)  # the parcours the Node client's fact is about
    cle = lycee.cle(champs["ine"])  # the élève's INE sealed to the platform's key
    assert [a["statut"] for a in attendre_accuses(r, LYCEE, {inscrit})[inscrit]] == ["accepte"]
    jour = champs["date_debut"] + timedelta(days=3)
    env = {"AMBITION_BOOTSTRAP": r.settings.bootstrap, "AMBITION_API_URL": r.base_url,
           "AMBITION_TOKEN": r.tokens[LYCEE], "AMBITION_PARTNER": LYCEE,
           "AMBITION_PRIVATE_KEY": (r.settings.var_dir / "keys" / "lycee_0753268V.key").read_text().strip(),
           "AMBITION_SCHEMA": str(ROOT / "schemas" / "lycee" / "ActiviteLyceeRealisee.v1.avsc"),
           "AMBITION_TOPIC": r.settings.topics.lycee, "AMBITION_SUBJECT": cle,
           "AMBITION_FIELDS": json.dumps({"activite": "PREPARATION_EPREUVES",
                                          "date": (jour - date(1970, 1, 1)).days, "duree_heures": 3})}
    done = node("envoyer", env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    recu = json.loads(done.stdout.strip().splitlines()[-1])
    assert (recu["statut"], recu["type"], recu["authentifie"]) == \
        ("accepte", "ambition.lycee.ActiviteLyceeRealisee", True)
    deadline = time.monotonic() + 60  # and the fact is in the lycée's feed, as a domain event
    while not (vus := [e for _, e in flux(r.base_url, r.tokens[LYCEE])
                       if e["parcours"]["origine_event_id"] == recu["event_id"]]):
        assert time.monotonic() < deadline, "the accepted fact never reached the feed"
        time.sleep(0.3)
    assert [(e["type"], e["activite"], e["parcours"]["uai"]) for e in vus] == \
        [("ambition.parcours.ActiviteLyceeRealisee", "PREPARATION_EPREUVES", "0753268V")]


def env_node(r, schema: str, fields: dict, **extra: str) -> dict:
    """What the Node client is given: what a partner's vendor gets from the operator."""
    return {"AMBITION_BOOTSTRAP": r.settings.bootstrap, "AMBITION_API_URL": r.base_url,
            "AMBITION_TOKEN": r.tokens[LYCEE], "AMBITION_PARTNER": LYCEE,
            "AMBITION_PRIVATE_KEY": (r.settings.var_dir / "keys" / "lycee_0753268V.key").read_text().strip(),
            "AMBITION_SCHEMA": str(ROOT / "schemas" / "lycee" / schema), "AMBITION_TOPIC": r.settings.topics.lycee,
            "AMBITION_FIELDS": json.dumps(fields), **extra}


def eleve(seed: int) -> tuple[dict, dict]:
    """(identity, enrolment fields) of an eligible élève of lycee:0753268V, as the Node client
    takes them (identity in clear: the client seals it; dates as days since 1970-01-01)."""
    champs, _ = inscription(random.Random(seed), "0753268V", RENTREE, TODAY)
    jours = lambda d: (d - date(1970, 1, 1)).days  # noqa: E731
    identite = {"ine": champs["ine"], "nom": champs["nom"], "prenom": champs["prenom"],
                "date_naissance": champs["date_naissance"].isoformat(), "accompagnement_handicap": True}
    fields = {"uai": "0753268V", "diplome": "CAP", "specialite": None, "session_examen": RENTREE.year,
              "resultat_examen": champs["resultat_examen"], "en_emploi": False, "en_formation": False,
              "consentement_eleve": True, "consentement_representant_legal": True,
              "referent": champs["referent"], "mission_locale_pressentie": None,
              "date_debut": jours(champs["date_debut"]), "date_fin_prevue": jours(champs["date_fin_prevue"]),
              "boursier": False, "interne": False, "fonds_sociaux": False}
    return identite, fields


def sans_identite(texte: str, identite: dict) -> None:
    for personnel in (identite["ine"], identite["nom"], identite["prenom"], identite["date_naissance"]):
        assert personnel not in texte


def test_the_node_client_enrols_an_eleve_with_its_identity_sealed(running):
    r = running
    identite, fields = eleve(51)
    # the platform's public key is read from GET /v1/cle-publique, as the guide says
    done = node("inscrire", env=env_node(r, "EleveInscrit.v3.avsc", fields,
                                         AMBITION_IDENTITE=json.dumps(identite)))
    assert done.returncode == 0, done.stdout + done.stderr
    recu = json.loads(done.stdout.strip().splitlines()[-1])
    assert (recu["statut"], recu["code"], recu["type"], recu["authentifie"]) == \
        ("accepte", None, "ambition.lycee.EleveInscrit", True)
    sans_identite(json.dumps(recu), identite)
    # the platform opened what Node sealed: the élève is in the lycée's view under its parcours
    # key (the platform's own, from the INE), with the names the identity carried
    cle = cle_parcours(identite["ine"], r.settings.pseudonym_secret)
    vue = r.wait_for("/v1/lycees/0753268V/eleves", lambda b: any(i["cle"] == cle for i in b["items"]),
                     actor=LYCEE, limit=1000)
    [item] = [i for i in vue["items"] if i["cle"] == cle]
    assert (item["nom"], item["prenom"], item["identite"], item["etat"]) == \
        (identite["nom"], identite["prenom"], "disponible", "OUVERT")

    # a later fact: Node seals the INE afresh (new bytes), the platform finds the same parcours
    jour = date(1970, 1, 1) + timedelta(days=fields["date_debut"] + 2)
    done = node("envoyer", env=env_node(r, "ActiviteLyceeRealisee.v1.avsc", {
        "activite": "CONSOLIDATION_ACQUIS", "date": (jour - date(1970, 1, 1)).days, "duree_heures": 2},
        AMBITION_INE=identite["ine"]))
    assert done.returncode == 0, done.stdout + done.stderr
    fait = json.loads(done.stdout.strip().splitlines()[-1])
    deadline = time.monotonic() + 60
    while not (vus := [e for _, e in flux(r.base_url, r.tokens[LYCEE])
                       if e["parcours"]["origine_event_id"] == fait["event_id"]]):
        assert time.monotonic() < deadline, "the accepted fact never reached the feed"
        time.sleep(0.3)
    assert [(e["type"], e["parcours"]["parcours_id"]) for e in vus] == \
        [("ambition.parcours.ActiviteLyceeRealisee", item["parcours_id"])]


@pytest.mark.parametrize("faute,code", [("identite scellee a une autre cle", "IDENTITE_ILLISIBLE"),
                                        ("info d'un autre partenaire", "SUJET_INVALIDE")])
def test_the_node_clients_enrolment_sealed_wrong_is_refused_with_no_identity_in_its_receipt(
        running, faute, code):
    r = running
    identite, fields = eleve(52 if code == "IDENTITE_ILLISIBLE" else 53)
    autre_cle = base64.b64encode(X25519PrivateKey.generate().public_key().public_bytes_raw()).decode()
    faux = ({"AMBITION_SEAL_IDENTITE_TO": autre_cle} if code == "IDENTITE_ILLISIBLE"
            else {"AMBITION_SEAL_INFO_PARTNER": AUTRE})
    done = node("inscrire", env=env_node(r, "EleveInscrit.v3.avsc", fields,
                                         AMBITION_IDENTITE=json.dumps(identite), **faux))
    assert done.returncode == 1, done.stdout + done.stderr
    recu = json.loads(done.stdout.strip().splitlines()[-1])
    assert (recu["statut"], recu["code"], recu["authentifie"]) == ("refuse", code, True), recu
    assert recu["message"]
    sans_identite(json.dumps(recu), identite)
    [(cle_kafka, sur_topic)] = [(k, d) for k, d in lire_topic(r.settings.bootstrap, r.settings.topics.accuses,
                                                              {recu["event_id"]}) if d["event_id"] == recu["event_id"]]
    assert (cle_kafka, sur_topic["code"]) == (LYCEE, code)
    sans_identite(json.dumps(sur_topic), identite)
    cle = cle_parcours(identite["ine"], r.settings.pseudonym_secret)
    vue = r.get("/v1/lycees/0753268V/eleves", LYCEE, limit=1000)
    assert cle not in {i["cle"] for i in vue["items"]}
