"""What partners and operators rely on in the parking and the processor, on a SQLite event
store in tmp_path and no broker (unit tier; the same behaviours on the real broker and
PostgreSQL: tests/integration/exchange/). Expected values are written out by hand: the event
ids come from the cohort's fixed seed, the offsets from the order of sending."""
from __future__ import annotations

import json
from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from ambition import metrics
from ambition.accuses import registre
from ambition.exchange.cohorte import generer
from ambition.ingest.messages import Incoming
from ambition.ingest.parking import A_ENVOYER, PARQUE, decode_headers
from ambition.ingest.processor import POISON_AFTER
from ambition.parcours.faits import ACCEPTE
from ambition.pseudonym import cle_parcours

ML = "ml:13002526500013"
ACCUEIL_ID = "b6d13089-633a-40ee-a0f9-e038eb8f624f"
ACTIVITE_ID = "651c5253-6d4b-4adb-abcd-1f5ec9c18070"
MSG_ML = "ambition.partenaires.missionlocale"


@pytest.fixture
def cohorte(creds, settings):
    """Seed 3: élève 1 enrolled by lycee:0753268V, then its mission locale's accueil and activity."""
    c = generer(list(creds.values()), 1, seed=3, secret=settings.pseudonym_secret)
    inscription, accueil, activite = c.faits[0], c.faits[3], c.faits[4]
    assert (inscription.methode, accueil.methode, activite.methode) == \
        ("eleve_inscrit", "accueil_realise", "activite_realisee")
    return c


def _faits(cohorte):
    return cohorte.faits[0], cohorte.faits[3], cohorte.faits[4]


def _accuses(proc, partenaire):
    with proc.attente.engine.connect() as conn:
        return [(r.event_id, r.statut, r.code) for r in conn.execute(
            select(registre.accuses).where(registre.accuses.c.partenaire == partenaire)
            .order_by(registre.accuses.c.position))]


def _utc(t):
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _valeur(metric, **labels):
    m = metric.labels(**labels) if labels else metric
    return m._value.get()


def test_a_fact_for_an_unknown_parcours_is_parked_with_its_bytes(envoyeur, processor_factory,
                                                                 cohorte, settings):
    inscription, accueil, _ = _faits(cohorte)
    msg = envoyeur.envoie(accueil)
    assert [(m.topic, m.offset) for m in msg] == [(MSG_ML, 0)]
    proc = processor_factory()
    parques_avant = _valeur(metrics.MESSAGES_CONSUMED, topic=MSG_ML, outcome="parque")
    lot = proc.handle(msg)
    assert [(o.statut, o.reason, o.incoming) for o in lot.outcomes] == [("parque", None, msg[0])]
    assert lot.envois == []
    assert (proc.attente.compte(PARQUE), proc.attente.compte(A_ENVOYER)) == (1, 0)
    assert _valeur(metrics.PARKED) == 1
    assert _valeur(metrics.MESSAGES_CONSUMED, topic=MSG_ML, outcome="parque") == parques_avant + 1
    [row] = proc.attente.parques()
    cle = cle_parcours(inscription.champs["ine"], settings.pseudonym_secret)
    assert (row.cle, row.topic, row.partition, row.offset, row.event_id, row.partner) == \
        (cle, MSG_ML, 0, 0, ACCUEIL_ID, ML)
    assert (row.kafka_key, row.value, decode_headers(row.headers)) == (msg[0].key, msg[0].value,
                                                                       msg[0].headers)
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "parque", None)]
    assert proc.attente.cles_parquees() == [cle]

    lot = proc.handle(msg)  # redelivered: parked again, nothing new written
    assert [o.statut for o in lot.outcomes] == ["parque"]
    assert proc.attente.compte(PARQUE) == 1 and len(_accuses(proc, ML)) == 1
    assert processor_factory().attente.compte(PARQUE) == 1  # durable: a new processor sees it
    assert _valeur(metrics.PARKED) == 1


def test_the_enrolment_releases_the_parked_facts_of_its_parcours_in_the_same_batch(
        envoyeur, processor_factory, cohorte, settings):
    inscription, accueil, activite = _faits(cohorte)
    proc = processor_factory()
    assert [o.statut for o in proc.handle(envoyeur.envoie(accueil, activite)).outcomes] == \
        ["parque", "parque"]
    assert _valeur(metrics.PARKED) == 2
    relache = _valeur(metrics.PARKING_RELEASED, outcome="accepte")
    lot = processor_factory().handle(envoyeur.envoie(inscription))  # after a restart
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)] and lot.envois == []
    assert proc.attente.compte(PARQUE) == 0 and _valeur(metrics.PARKED) == 0
    assert _valeur(metrics.PARKING_RELEASED, outcome="accepte") == relache + 2
    p = proc.app.parcours(cle_parcours(inscription.champs["ine"], settings.pseudonym_secret))
    assert len(p.traites) == 3 and f"ml:{p.mission_locale}" == ML
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "parque", None), (ACTIVITE_ID, "parque", None),
                                  (ACCUEIL_ID, "accepte", None), (ACTIVITE_ID, "accepte", None)]


def test_within_one_batch_a_fact_before_its_enrolment_is_accepted(envoyeur, processor_factory,
                                                                  cohorte):
    inscription, accueil, activite = _faits(cohorte)
    lot = processor_factory().handle(envoyeur.envoie(accueil, inscription, activite))
    assert [o.statut for o in lot.outcomes] == ["accepte"] * 3


def test_the_sweep_replays_a_parked_fact_once_another_worker_enrolled_its_parcours(
        envoyeur, processor_factory, cohorte, settings):
    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()  # parking delay: one hour
    proc.handle(envoyeur.envoie(accueil))
    autre = processor_factory()
    fait = autre._source(envoyeur.envoie(inscription)[0]).fait
    assert [r.statut for r in autre.app.traiter_lot([fait])] == [ACCEPTE]
    cle = cle_parcours(inscription.champs["ine"], settings.pseudonym_secret)
    assert proc.app.parcours(cle).mission_locale is None

    assert proc.balayer() == []
    assert proc.attente.compte(PARQUE) == 0 and _valeur(metrics.PARKED) == 0
    assert f"ml:{proc.app.parcours(cle).mission_locale}" == ML
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "parque", None), (ACCUEIL_ID, "accepte", None)]
    assert proc.balayer() == []


def test_a_fact_after_a_parked_one_of_an_existing_parcours_is_decided_after_it(
        envoyeur, processor_factory, cohorte, settings):
    """Two processors: this one parked the accueil (no parcours yet) while the other was
    enrolling the élève, and did not see the enrolment when that one looked for parked facts.
    The activity that follows the accueil then arrives here before any sweep: the parked
    accueil is decided first, so the activity is accepted, not refused for an accueil the
    platform had in hand (ACCUEIL_ML_AVANT_ACTIVITE)."""
    inscription, accueil, activite = _faits(cohorte)
    proc = processor_factory()  # parking delay: one hour, no sweep in this test
    proc.handle(envoyeur.envoie(accueil))
    autre = processor_factory()
    fait = autre._source(envoyeur.envoie(inscription)[0]).fait
    assert [r.statut for r in autre.app.traiter_lot([fait])] == [ACCEPTE]

    lot = proc.handle(envoyeur.envoie(activite))
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)] and lot.envois == []
    assert proc.attente.compte(PARQUE) == 0 and _valeur(metrics.PARKED) == 0
    cle = cle_parcours(inscription.champs["ine"], settings.pseudonym_secret)
    assert len(proc.app.parcours(cle).traites) == 3
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "parque", None), (ACCUEIL_ID, "accepte", None),
                                  (ACTIVITE_ID, "accepte", None)]


def test_an_orphan_is_refused_after_the_delay_and_kept_until_the_broker_has_it(
        envoyeur, processor_factory, cohorte):
    _, accueil, _ = _faits(cohorte)
    msg = envoyeur.envoie(accueil)
    maintenant = [None]
    proc = processor_factory(delai=60, horloge=lambda: maintenant[0])
    proc.handle(msg)
    first_seen = _utc(proc.attente.parques()[0].first_seen)
    maintenant[0] = first_seen + timedelta(seconds=59.999)
    assert proc.balayer() == [] and proc.attente.compte(PARQUE) == 1
    maintenant[0] = first_seen + timedelta(seconds=60)  # exactly the delay: refused
    orphelins = _valeur(metrics.REJECTED, reason="ORPHELIN")
    envois = proc.balayer()
    assert [(e.reason, e.key) for e in envois] == [("ORPHELIN", msg[0].key)]
    doc = json.loads(envois[0].document)
    assert (doc["reason"], doc["topic"], doc["partition"], doc["offset"], doc["event_id"],
            doc["partner"]) == ("ORPHELIN", MSG_ML, 0, 0, ACCUEIL_ID, ML)
    assert doc["message"] == "AccueilRealise: no parcours was enrolled for this key within 60 s"
    assert doc["first_seen"][:19] == first_seen.isoformat()[:19]
    assert [k for k, _ in doc["headers"]] == [k for k, _ in msg[0].headers]
    assert (proc.attente.compte(PARQUE), proc.attente.compte(A_ENVOYER)) == (0, 1)
    assert _valeur(metrics.REJECTED, reason="ORPHELIN") == orphelins + 1
    assert _valeur(metrics.PARKED) == 0
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "parque", None), (ACCUEIL_ID, "refuse", "ORPHELIN")]

    # not acknowledged by the broker: kept, sent again by every sweep, even after a restart
    assert [e.row_id for e in proc.balayer()] == [envois[0].row_id]
    assert [e.document for e in processor_factory().balayer()] == [envois[0].document]
    proc.liberer(envois)
    assert proc.balayer() == [] and proc.attente.compte(A_ENVOYER) == 0


def test_a_refusal_is_written_durably_until_the_broker_acknowledges_it(envoyeur, processor_factory,
                                                                      cohorte):
    inscription, accueil, _ = _faits(cohorte)
    msg = envoyeur.envoie(inscription)
    abime = Incoming(msg[0].topic, 0, 5, msg[0].key, msg[0].value[:-1] + b"\x00", msg[0].headers)
    proc = processor_factory()
    lot = proc.handle([abime])
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("refuse", "SIGNATURE_INVALIDE")]
    [envoi] = lot.envois
    assert envoi.reason == "SIGNATURE_INVALIDE" and json.loads(envoi.document)["offset"] == 5
    assert (proc.attente.compte(A_ENVOYER), proc.attente.compte(PARQUE)) == (1, 0)

    again = proc.handle([abime])  # redelivered: the same row, not a second one
    assert [e.row_id for e in again.envois] == [envoi.row_id] and proc.attente.compte(A_ENVOYER) == 1
    redemarre = processor_factory()
    assert [(e.row_id, e.document) for e in redemarre.balayer()] == [(envoi.row_id, envoi.document)]
    redemarre.liberer([envoi])
    assert redemarre.balayer() == [] and proc.attente.compte(A_ENVOYER) == 0
    # a good message next to it is accepted, and leaves nothing to send
    assert proc.handle(msg).envois == []


def test_a_poison_message_is_refused_after_poison_after_attempts_without_blocking_its_batch(
        envoyeur, processor_factory, cohorte, caplog):
    inscription, accueil, activite = _faits(cohorte)
    batch = envoyeur.envoie(inscription, accueil, activite)
    proc = processor_factory()
    real = proc.app.traiter_lot

    def traiter_lot(faits):
        if any(f.event_id == ACTIVITE_ID for f in faits):
            raise RuntimeError("a bug met by this message only")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    assert POISON_AFTER == 3
    for _ in range(2):  # maybe a passing failure: the agent retries the batch
        with pytest.raises(RuntimeError, match="1 message"):
            proc.handle(batch)
    # the operator's log names the batch and the message, never its content
    assert [r.getMessage() for r in caplog.records if r.levelname == "ERROR"][:2] == [
        "batch of 3 failed: deciding its messages one by one",
        "message ambition.partenaires.missionlocale[0]@1 failed"]
    lot = proc.handle(batch)
    assert [(o.statut, o.reason) for o in lot.outcomes] == [
        ("doublon", None), ("doublon", None), ("refuse", "ERREUR_TRAITEMENT")]
    [envoi] = lot.envois
    doc = json.loads(envoi.document)
    assert (envoi.reason, doc["offset"], doc["topic"]) == ("ERREUR_TRAITEMENT", 1, MSG_ML)
    assert doc["message"] == ("the platform failed 3 times to process this message; retry it "
                              "after a fix (`ambition rejected retry`)")
    assert doc["original"]
    assert proc.attente.compte(A_ENVOYER) == 1
    assert proc._echecs == {}
    with pytest.raises(RuntimeError):  # counted from zero again
        proc.handle(batch)


def test_a_poison_message_alone_in_its_batch(envoyeur, processor_factory, cohorte):
    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription))
    [msg] = envoyeur.envoie(accueil)

    def traiter_lot(faits):
        raise RuntimeError("a bug")

    proc.app.traiter_lot = traiter_lot
    for _ in range(2):
        with pytest.raises(RuntimeError, match="a bug|1 message"):
            proc.handle([msg])
    lot = proc.handle([msg])
    assert [(o.statut, o.reason, o.incoming) for o in lot.outcomes] == [
        ("refuse", "ERREUR_TRAITEMENT", msg)]


def test_a_success_forgets_the_earlier_failures(envoyeur, processor_factory, cohorte):
    inscription, accueil, activite = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription))
    batch = envoyeur.envoie(accueil)
    real, panne = proc.app.traiter_lot, [True]

    def traiter_lot(faits):
        if panne[0]:
            raise RuntimeError("a passing bug")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    for _ in range(2):
        with pytest.raises(RuntimeError):
            proc.handle(batch)
    panne[0] = False
    # a success with a message that never failed next to it
    assert [o.statut for o in proc.handle(batch + envoyeur.envoie(activite)).outcomes] == \
        ["accepte", "accepte"]
    panne[0] = True
    for _ in range(2):  # two more failures are not three
        with pytest.raises(RuntimeError):
            proc.handle(batch)


def test_a_store_away_is_no_message_fault(envoyeur, processor_factory, cohorte):
    """An unreachable database is raised as is and counts no failure: the message is accepted
    once the store is back, however many attempts it took."""
    import sqlite3

    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription))
    batch = envoyeur.envoie(accueil)
    real, panne = proc.app.traiter_lot, [True]

    def traiter_lot(faits):
        if panne[0]:
            raise sqlite3.OperationalError("database is locked")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    for _ in range(POISON_AFTER + 1):
        with pytest.raises(sqlite3.OperationalError):
            proc.handle(batch)
    assert proc._echecs == {}
    panne[0] = False
    assert [o.statut for o in proc.handle(batch).outcomes] == ["accepte"]


def test_a_sweep_whose_replay_fails_keeps_the_facts_parked_and_sends_the_orphans(
        envoyeur, processor_factory, cohorte, creds, settings, caplog):
    inscription, accueil, _ = _faits(cohorte)
    autre = [f for f in generer(list(creds.values()), 2, seed=3, secret=settings.pseudonym_secret).faits
               if f.methode == "accueil_realise" and f.champs["cle"] != accueil.champs["cle"]][0]
    maintenant = [None]
    proc = processor_factory(delai=60, horloge=lambda: maintenant[0])
    proc.handle(envoyeur.envoie(accueil, autre))
    maintenant[0] = _utc(proc.attente.parques()[-1].first_seen) + timedelta(seconds=61)
    fait = proc._source(envoyeur.envoie(inscription)[0]).fait
    proc.app.traiter_lot([fait])  # enrolled elsewhere: the first accueil can be replayed

    def traiter_lot(faits):
        raise RuntimeError("replay fails")

    real, proc.app.traiter_lot = proc.app.traiter_lot, traiter_lot
    envois = proc.balayer()
    assert "replaying 1 parked facts failed; they stay parked" in [
        r.getMessage() for r in caplog.records if r.levelname == "ERROR"]
    assert [json.loads(e.document)["event_id"] for e in envois] == [autre.champs["event_id"]]
    assert [r.event_id for r in proc.attente.parques()] == [ACCUEIL_ID]
    proc.app.traiter_lot = real
    assert [e.row_id for e in proc.balayer()] == [envois[0].row_id]
    assert proc.attente.compte(PARQUE) == 0


def test_the_sweep_takes_at_most_its_limit(envoyeur, processor_factory, cohorte):
    inscription, accueil, activite = _faits(cohorte)
    maintenant = [None]
    proc = processor_factory(delai=0, horloge=lambda: maintenant[0])
    proc.handle(envoyeur.envoie(accueil, activite))
    maintenant[0] = _utc(proc.attente.parques()[-1].first_seen)
    envois = proc.balayer(limit=1)
    assert [json.loads(e.document)["event_id"] for e in envois] == [ACCUEIL_ID]
    assert [r.event_id for r in proc.attente.parques()] == [ACTIVITE_ID]


def test_a_partner_registered_after_start_is_known_from_the_next_batch(
        envoyeur, processor_factory, settings, registry):
    from contracts_support import INSCRIPTION, FakeKafkaProducer

    from ambition.contracts.partners import Credentials, add_partner
    from ambition.sdk import LyceeProducer

    proc = processor_factory()
    pid, private = add_partner(settings, "LYCEE", "0010002X")
    kafka = FakeKafkaProducer()
    LyceeProducer(Credentials(pid, "LYCEE", "0010002X", private), settings=settings,
                  registry=registry, producer=kafka).eleve_inscrit(**{**INSCRIPTION, "ine": "7123456789Z"})
    s = kafka.sent[0]
    lot = proc.handle([Incoming(s["topic"], 0, 0, s["key"], s["value"], list(s["headers"]))])
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)]
    # a message claiming to be from it, badly signed: refused, and told to that partner
    v = s["value"]
    abime = v[:len(v) // 2] + bytes([v[len(v) // 2] ^ 1]) + v[len(v) // 2 + 1:]
    lot = proc.handle([Incoming(s["topic"], 0, 1, s["key"], abime, list(s["headers"]))])
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("refuse", "SIGNATURE_INVALIDE")]
    assert [(st, code) for _, st, code in _accuses(proc, pid)] == [
        ("accepte", None), ("refuse", "SIGNATURE_INVALIDE")]


def test_a_fact_naming_an_unknown_parcours_reference_is_refused_sujet_invalide(
        envoyeur, processor_factory, cohorte):
    _, accueil, _ = _faits(cohorte)
    inconnue = type(accueil)(accueil.partner_id, accueil.methode,
                             {**accueil.champs, "cle": "parcours:00000000-0000-4000-8000-000000000000"},
                             False)
    msg = envoyeur.envoie(inconnue)
    lot = processor_factory().handle(msg)
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("refuse", "SUJET_INVALIDE")]
    doc = json.loads(lot.envois[0].document)
    assert (doc["reason"], doc["message"], doc["event_id"], doc["partner"], doc["offset"]) == (
        "SUJET_INVALIDE", "no parcours has the reference the subject names", ACCUEIL_ID, ML, 0)


def test_a_parked_fact_that_cannot_be_read_any_more_leaves_the_parking_refused(
        envoyeur, processor_factory, cohorte):
    """Its partner's key revoked, say: the parked row becomes the refusal (no second row)."""
    from sqlalchemy import update

    from ambition.ingest.parking import attente

    _, accueil, _ = _faits(cohorte)
    maintenant = [None]
    proc = processor_factory(delai=60, horloge=lambda: maintenant[0])
    [msg] = envoyeur.envoie(accueil)
    proc.handle([msg])
    [row] = proc.attente.parques()
    with proc.attente.engine.begin() as conn:
        conn.execute(update(attente).values(value=msg.value[:-1] + b"\x00"))
    maintenant[0] = _utc(row.first_seen) + timedelta(seconds=61)
    envois = proc.balayer()
    assert [(e.row_id, e.reason) for e in envois] == [(row.id, "SIGNATURE_INVALIDE")]
    assert (proc.attente.compte(PARQUE), proc.attente.compte(A_ENVOYER)) == (0, 1)


def test_a_replayed_fact_refused_by_the_rules_is_returned_to_send(envoyeur, processor_factory,
                                                                 cohorte):
    """An activity parked without its accueil: the enrolment replays it, the rules refuse it,
    and the batch returns the refusal to send (its parking row, now A_ENVOYER)."""
    inscription, _, activite = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(activite))
    [row] = proc.attente.parques()
    lot = proc.handle(envoyeur.envoie(inscription))
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)]
    assert [(e.row_id, e.reason) for e in lot.envois] == [(row.id, "ACCUEIL_ML_AVANT_ACTIVITE")]
    assert json.loads(lot.envois[0].document)["key"] is not None


def test_a_duplicate_is_acknowledged_with_its_receipt(envoyeur, processor_factory, cohorte):
    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription, accueil))
    lot = proc.handle(envoyeur.envoie(accueil))  # sent again by the partner (new offset)
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("doublon", None)] and lot.envois == []
    assert _accuses(proc, ML) == [(ACCUEIL_ID, "accepte", None), (ACCUEIL_ID, "doublon", None)]


def test_a_message_from_nobody_is_refused_and_kept_without_a_receipt(processor_factory):
    inc = Incoming("ambition.partenaires.missionlocale", 2, 9, b"k", b"not avro", [])
    proc = processor_factory()
    lot = proc.handle([inc])
    assert [o.statut for o in lot.outcomes] == ["refuse"]
    assert [e.key for e in lot.envois] == [b"k"] and proc.attente.compte(A_ENVOYER) == 1


def test_the_sweep_returns_what_waits_in_row_order_within_its_limit(envoyeur, processor_factory,
                                                                    cohorte):
    inscription, accueil, _ = _faits(cohorte)
    maintenant = [None]
    proc = processor_factory(delai=60, horloge=lambda: maintenant[0])
    a, b = (Incoming("ambition.partenaires.missionlocale", 0, o, b"k", b"not avro", [])
            for o in (7, 8))
    refus = proc.handle([a]).envois  # row 1: a refusal not acknowledged yet
    proc.handle(envoyeur.envoie(accueil))  # row 2: parked
    maintenant[0] = _utc(proc.attente.parques()[0].first_seen) + timedelta(seconds=60)
    envois = proc.balayer()  # the orphan is written first, then what waited: sorted by row
    assert [e.reason for e in envois] == [refus[0].reason, "ORPHELIN"]
    assert [e.row_id for e in envois] == sorted(e.row_id for e in envois)
    proc.handle([b])
    assert len(proc.balayer(limit=1)) == 1 and len(proc.balayer()) == 3


def test_the_parked_gauge_counts_what_is_left_after_a_sweep(envoyeur, processor_factory, cohorte):
    inscription, accueil, activite = _faits(cohorte)
    maintenant = [None]
    proc = processor_factory(delai=0, horloge=lambda: maintenant[0])
    proc.handle(envoyeur.envoie(accueil, activite))
    maintenant[0] = _utc(proc.attente.parques()[-1].first_seen)
    proc.balayer(limit=1)
    assert _valeur(metrics.PARKED) == 1


def test_a_parked_fact_waits_with_the_default_clock(envoyeur, processor_factory, cohorte):
    _, accueil, _ = _faits(cohorte)
    proc = processor_factory()  # the real clock, one hour's delay
    proc.handle(envoyeur.envoie(accueil))
    assert proc.balayer() == [] and proc.attente.compte(PARQUE) == 1


def test_a_failure_of_a_batch_then_a_store_away_while_deciding_one_by_one(
        envoyeur, processor_factory, cohorte):
    import sqlite3

    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()

    def traiter_lot(faits):
        if len(faits) > 1:
            raise RuntimeError("a bug")
        raise sqlite3.OperationalError("database is locked")

    proc.app.traiter_lot = traiter_lot
    with pytest.raises(sqlite3.OperationalError):
        proc.handle(envoyeur.envoie(inscription, accueil))
    assert proc._echecs == {}


def _jusqu_au_poison(proc, batch):
    """Decide ``batch`` with a bug met by the mission locale's accueil alone: the batch fails
    as a whole until the processor has seen it fail POISON_AFTER times; that last decision."""
    real = proc.app.traiter_lot

    def traiter_lot(faits):
        if any(f.event_id == ACCUEIL_ID for f in faits):
            raise RuntimeError("a bug met by this message only")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    for _ in range(POISON_AFTER - 1):
        with pytest.raises(RuntimeError):
            proc.handle(batch)
    return proc.handle(batch)


def test_a_poison_message_does_not_stop_the_messages_after_it(envoyeur, processor_factory, cohorte):
    inscription, accueil, activite = _faits(cohorte)
    proc = processor_factory()
    abimes = [Incoming("ambition.partenaires.missionlocale", 0, o, b"k", b"not avro", [])
              for o in (50, 51)]
    batch = envoyeur.envoie(inscription, accueil) + abimes
    lot = _jusqu_au_poison(proc, batch)
    assert [o.statut for o in lot.outcomes] == ["doublon", "refuse", "refuse", "refuse"]
    assert sorted(e.reason for e in lot.envois) == sorted(
        ["ERREUR_TRAITEMENT", lot.outcomes[1].reason, lot.outcomes[2].reason])
    assert proc.attente.compte(A_ENVOYER) == 3


def test_headers_are_kept_as_base64_and_read_back():
    from ambition.ingest.parking import encode_headers

    assert encode_headers([("a", b"x"), ("b", None)]) == '[["a", "eA=="], ["b", ""]]'
    assert decode_headers('[["a", "eA=="], ["b", ""]]') == [("a", b"x"), ("b", b"")]
    assert decode_headers(None) == [] and encode_headers(None) == "[]"


def test_the_parking_lives_in_the_event_store_file(settings):
    from ambition.ingest.parking import Attente

    Attente(settings)
    assert (settings.var_dir / "event-store.sqlite").exists()


def test_an_aware_time_keeps_its_offset():
    from datetime import datetime

    from ambition.ingest.processor import _aware

    paris = datetime(2026, 1, 1, 12, tzinfo=timezone(timedelta(hours=1)))
    assert _aware(paris).utcoffset() == timedelta(hours=1)
    assert _aware(datetime(2026, 1, 1, 12)) == datetime(2026, 1, 1, 12, tzinfo=timezone.utc)


def test_a_batch_of_two_with_a_poison_message_refuses_only_that_one(envoyeur, processor_factory,
                                                                    cohorte):
    inscription, accueil, _ = _faits(cohorte)
    batch = envoyeur.envoie(inscription, accueil)
    proc = processor_factory()
    lot = _jusqu_au_poison(proc, batch)
    assert [(o.statut, o.reason, o.incoming.offset) for o in lot.outcomes] == [
        ("doublon", None, 0), ("refuse", "ERREUR_TRAITEMENT", 0)]


def test_a_batch_of_one_that_failed_once_is_decided_on_its_retry(envoyeur, processor_factory,
                                                                 cohorte):
    """A batch of one is not tried again alone: the agent's retry decides it (accepted, not a
    duplicate of an attempt nobody was told about)."""
    inscription, _, _ = _faits(cohorte)
    batch = envoyeur.envoie(inscription)
    proc = processor_factory()
    real, appels = proc.app.traiter_lot, []

    def traiter_lot(faits):
        appels.append(len(faits))
        if len(appels) == 1:
            raise RuntimeError("a passing bug")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    with pytest.raises(RuntimeError):
        proc.handle(batch)
    assert [o.statut for o in proc.handle(batch).outcomes] == ["accepte"]


def test_a_fact_naming_its_parcours_by_reference(envoyeur, processor_factory, cohorte, settings):
    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription))
    cle = cle_parcours(inscription.champs["ine"], settings.pseudonym_secret)
    par_reference = type(accueil)(accueil.partner_id, accueil.methode,
                                  {**accueil.champs, "cle": f"parcours:{proc.app.parcours(cle).id}"},
                                  False)
    lot = proc.handle(envoyeur.envoie(par_reference))
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)]


def test_an_event_id_sent_again_with_another_content_is_refused(envoyeur, processor_factory,
                                                                cohorte):
    inscription, accueil, _ = _faits(cohorte)
    proc = processor_factory()
    proc.handle(envoyeur.envoie(inscription, accueil))
    autre = type(accueil)(accueil.partner_id, accueil.methode,
                          {**accueil.champs, "conseiller": "cons-9"}, False)
    lot = proc.handle(envoyeur.envoie(autre))
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("refuse", "DOUBLON_CONFLICTUEL")]


def test_an_enrolment_replays_only_its_own_parked_facts(envoyeur, processor_factory, cohorte):
    """Another parcours's parked message (unreadable now) is left to the sweep."""
    inscription, _, _ = _faits(cohorte)
    proc = processor_factory()
    autre = Incoming("ambition.partenaires.missionlocale", 0, 90, b"k", b"not avro", [])
    proc.attente.ecrire([{"ref": "autre", "etat": PARQUE, "cle": "AUTRE", "topic": autre.topic,
                          "partition": 0, "offset": 90, "kafka_key": b"k", "value": b"not avro",
                          "headers": "[]"}], {}, [])
    proc.handle(envoyeur.envoie(inscription))
    assert [r.ref for r in proc.attente.parques()] == ["autre"]
    assert proc.attente.compte(A_ENVOYER) == 0


def test_a_parked_message_unreadable_and_addressed_to_nobody_is_refused_at_the_sweep(
        processor_factory):
    """No partner to send a receipt to: the refusal is still written."""
    proc = processor_factory(delai=0)
    proc.attente.ecrire([{"ref": "x", "etat": PARQUE, "cle": "AUTRE",
                          "topic": "ambition.partenaires.missionlocale", "partition": 0,
                          "offset": 3, "kafka_key": b"k", "value": b"not avro", "headers": "[]"}],
                        {}, [])
    [envoi] = proc.balayer()
    assert envoi.key == b"k" and json.loads(envoi.document)["offset"] == 3
    assert (proc.attente.compte(PARQUE), proc.attente.compte(A_ENVOYER)) == (0, 1)


def test_a_partner_registered_after_start_gets_the_receipt_of_an_unreadable_message(
        processor_factory, settings):
    from ambition.contracts.partners import add_partner
    from ambition.contracts.signing import PARTNER_HEADER

    proc = processor_factory()
    pid, _ = add_partner(settings, "LYCEE", "0010002X")
    inc = Incoming("ambition.partenaires.lycee", 0, 0, b"k", b"not avro",
                   [(PARTNER_HEADER, pid.encode())])
    assert [o.statut for o in proc.handle([inc]).outcomes] == ["refuse"]
    assert [st for _, st, _ in _accuses(proc, pid)] == ["refuse"]


def test_parked_keys_in_order_of_arrival(tmp_path):
    from ambition.config import Settings
    from ambition.ingest.parking import Attente

    a = Attente(Settings(var_dir=tmp_path / "var"))
    ligne = dict(etat=PARQUE, topic="t", partition=0, offset=0, kafka_key=None, value=b"",
                 headers="[]")
    a.ecrire([{**ligne, "ref": "1", "cle": "ZZZ"}, {**ligne, "ref": "2", "cle": "AAA"},
              {**ligne, "ref": "3", "cle": "ZZZ"}, {**ligne, "ref": "4", "cle": "MMM"}], {}, [])
    assert a.cles_parquees() == ["ZZZ", "AAA", "MMM"]
    assert a.cles_parquees(limit=2) == ["ZZZ", "AAA"]


def test_the_parking_uses_the_configured_event_store(tmp_path):
    from ambition.config import Settings
    from ambition.ingest.parking import Attente

    a = Attente(Settings(var_dir=tmp_path / "var", event_store=f"sqlite:///{tmp_path / 'ailleurs.sqlite'}"))
    assert a.engine.url.database == str(tmp_path / "ailleurs.sqlite")


def test_on_postgresql_a_redelivered_row_is_ignored_by_its_ref():
    """The statement the parking sends to PostgreSQL (compiled here, without a server)."""
    from sqlalchemy import create_engine
    from sqlalchemy.dialects import postgresql

    from ambition.ingest.parking import Attente

    a = Attente.__new__(Attente)
    a.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    sql = str(a._insert().compile(dialect=postgresql.dialect()))
    assert sql.startswith("INSERT INTO ingest_attente") and sql.endswith("ON CONFLICT (ref) DO NOTHING")
