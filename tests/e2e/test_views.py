"""Every actor's view over HTTP, from partner events on the real broker; a replay of the whole
domain-event topic changes nothing; `ambition rebuild` under load leaves the views equal."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import date

import httpx
from kafka import KafkaConsumer, KafkaProducer

from ambition.api.jetons import demo_tokens
from ambition.contracts.partners import demo_partners
from ambition.pseudonym import cle_parcours
from ambition.sdk.foquale import FoqualeProducer
from ambition.sdk.lycee import LyceeProducer
from ambition.sdk.missionlocale import MissionLocaleProducer

AS_OF = "2026-10-20"
ELEVE = dict(nom="Martin", prenom="Lina", date_naissance=date(2008, 3, 15), diplome="CAP",
             session_examen=2026, resultat_examen="ECHEC", en_emploi=False, en_formation=False,
             consentement_eleve=True, consentement_representant_legal=True, referent="M. Durand",
             date_debut=date(2026, 9, 7), date_fin_prevue=date(2026, 12, 31), boursier=True)


def creds(settings, ptype: str, ident: str):
    return next(c for c in demo_partners(settings) if c.type == ptype and c.identifiant == ident)


def client(running, actor: str) -> httpx.Client:
    token = demo_tokens(running.settings)[actor]
    return httpx.Client(base_url=running.base_url, timeout=10, headers={"Authorization": f"Bearer {token}"})


def snapshot(running, uai: str, siret: str, pid: str) -> list:
    psad, lycee, ml = (client(running, a) for a in ("psad:national", f"lycee:{uai}", f"ml:{siret}"))
    params = {"as_of": AS_OF}
    return [psad.get("/v1/psad/synthese", params=params).json(),
            psad.get("/v1/psad/a-risque", params=params).json(),
            lycee.get(f"/v1/lycees/{uai}/eleves", params=params).json(),
            ml.get(f"/v1/missions-locales/{siret}/jeunes", params=params).json(),
            ml.get(f"/v1/missions-locales/{siret}/portefeuille").json(),
            client(running, "foquale:ac-paris").get("/v1/foquale/ac-paris/solutions").json(),
            lycee.get(f"/v1/parcours/{pid}/chronologie").json()]


def test_partner_events_reach_every_actors_view_exactly_once(running):
    s = running.settings
    lyc, ml, foq = (creds(s, "LYCEE", "0753268V"), creds(s, "MISSION_LOCALE", "13002526500013"),
                    creds(s, "FOQUALE", "ac-paris"))
    lycee = client(running, "lycee:0753268V")

    def eleves() -> dict:
        return lycee.get("/v1/lycees/0753268V/eleves", params={"as_of": AS_OF}).json()

    def explain() -> dict:
        return client(running, "psad:national").get("/v1/psad/synthese").json()

    # each partner waits for the facts it builds on (partners' topics are not ordered together)
    with LyceeProducer(lyc, settings=s) as pl, MissionLocaleProducer(ml, settings=s) as pm, \
            FoqualeProducer(foq, settings=s) as pf:
        cles = ["1000000001A", "1000000002B", "1000000003C"]  # each partner's SDK seals the INE
        for ine in ("1000000001A", "1000000002B", "1000000003C"):
            pl.eleve_inscrit(ine=ine, accompagnement_handicap=ine.endswith("A"), **ELEVE)
        _wait(eleves, lambda b: b["total"] == 3, explain)
        pm.accueil_realise(cle=cles[0], conseiller="c-1", date=date(2026, 9, 9))
        pm.accueil_realise(cle=cles[1], conseiller="c-2", date=date(2026, 9, 10))
        _wait(eleves, lambda b: sum(i["conseiller"] is not None for i in b["items"]) == 2, explain)
        pm.activite_realisee(cle=cles[0], activite="ATELIER_TRE", date=date(2026, 10, 5))
        pm.stage_debute(cle=cles[0], periode_id="st-1", nature="STAGE", siret="75000000000000",
                        date_debut=date(2026, 10, 12), date_fin_prevue=date(2026, 10, 23))
        pm.pacea_signe(cle=cles[1], date_signature=date(2026, 9, 15))
        pm.bilan_realise(cle=cles[1], date=date(2026, 10, 16), issue="FORMATION")
        pf.solution_proposee(cle=cles[0], solution_id="sol-1", solution="REMOBILISATION", date=date(2026, 9, 20))
        _wait(lambda: client(running, "foquale:ac-paris").get("/v1/foquale/ac-paris/solutions").json(),
              lambda b: b["total"] == 1, explain)
        pf.solution_demarree(cle=cles[0], solution_id="sol-1", date=date(2026, 9, 28))

    body = _wait(eleves, lambda b: sorted(i["etat"] for i in b["items"]) == ["CLOS", "OUVERT", "OUVERT"]
                 and lycee.get(f"/v1/parcours/{_pid(b, cle_parcours(cles[0], s.pseudonym_secret))}/chronologie").json()["total"] == 6, explain)
    by_cle = {i["cle"]: i for i in body["items"]}
    assert by_cle[cle_parcours(cles[0], s.pseudonym_secret)]["nom"] == "Martin" and by_cle[cle_parcours(cles[0], s.pseudonym_secret)]["droits"]["accompagnement_handicap"] is True
    assert by_cle[cle_parcours(cles[2], s.pseudonym_secret)]["alertes"] == ["SANS_ACTIVITE_21J", "SANS_ACCUEIL_10J"]
    assert by_cle[cle_parcours(cles[1], s.pseudonym_secret)]["issue"] == "FORMATION"
    pid = by_cle[cle_parcours(cles[0], s.pseudonym_secret)]["parcours_id"]
    before = snapshot(running, "0753268V", "13002526500013", pid)
    synthese = before[0]
    assert synthese["entrees"] >= 3 and synthese["issues"].get("FORMATION", 0) >= 1
    assert before[3]["total"] == 2 and before[5]["total"] == 1
    assert sorted(e["type"] for e in before[6]["items"]) == sorted(
        ["EleveInscrit", "AccueilRealise", "SolutionProposee", "SolutionDemarree",
         "ActiviteMissionLocaleRealisee", "StageDebute"])

    # Kafka redelivers the partners' feed: the whole domain-event topic again, byte for byte.
    # The views follow the event store, not this topic (a page of the notification log applied
    # twice counts once: tests/integration/projections/test_worker_journal.py)
    replayed = _replay(running)
    assert replayed == 12  # 10 accepted facts, the closure, and nothing else
    assert snapshot(running, "0753268V", "13002526500013", pid) == before

    # a rebuild from the event store while the platform runs
    out = subprocess.run([sys.executable, "-m", "ambition.cli", "rebuild"], env={**os.environ, **running.env},
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "generation 2 now served" in out.stdout
    assert snapshot(running, "0753268V", "13002526500013", pid) == before


def _wait(read, predicate, explain, timeout: float = 60):
    """Poll a view until it satisfies predicate (the platform is asynchronous)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = read()
        if predicate(body):
            return body
        time.sleep(0.3)
    raise AssertionError(f"the views never showed the events; last: {body}; PSAD: {explain()}")


def _pid(body: dict, cle: str) -> str:
    return next(i["parcours_id"] for i in body["items"] if i["cle"] == cle)


def _replay(running) -> int:
    topic = running.settings.topics.parcours
    consumer = KafkaConsumer(topic, bootstrap_servers=running.broker.bootstrap, group_id=None,
                             auto_offset_reset="earliest", enable_auto_commit=False, consumer_timeout_ms=3000)
    records = list(consumer)
    consumer.close()
    producer = KafkaProducer(bootstrap_servers=running.broker.bootstrap)
    for r in records:
        producer.send(topic, key=r.key, value=r.value, headers=r.headers)
    producer.flush()
    producer.close()
    return len(records)
