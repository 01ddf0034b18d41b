"""Out-of-order facts are parked durably, replayed when their parcours is enrolled, refused
ORPHELIN after the delay; nothing is lost across a restart of the processor. The messages go
through the real broker; the event store and the parking are on PostgreSQL (conftest)."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from ambition.contracts.inbound import Rejet, lire
from ambition.exchange.cohorte import generer, melanger
from ambition.pseudonym import cle_parcours
from ambition.ingest.parking import decode_headers
from ambition.parcours.faits import ACCEPTE

pytestmark = pytest.mark.integration


def _accueil_puis_inscription(enr, settings, creds):
    cohorte = generer(list(creds.values()), 1, seed=3, secret=settings.pseudonym_secret)
    inscription = cohorte.faits[0]
    ine = inscription.champs["ine"]  # partners address the élève by its INE, sealed by their SDK
    cle = cle_parcours(ine, settings.pseudonym_secret)  # the platform's key, for the checks
    autres = [f for f in cohorte.faits[1:] if f.champs.get("cle") == ine and not f.cloture]
    return cle, inscription, [f for f in autres if not f.partner_id.startswith("lycee")]


def _envoie(enr, *faits):
    for f in faits:
        getattr(enr.producteurs[f.partner_id], f.methode)(**f.champs)
    return enr.nouveaux()


def test_a_fact_before_its_enrolment_is_parked_with_its_bytes_then_replayed(
        enregistreur, processor_factory, settings, creds):
    cle, inscription, partenaires = _accueil_puis_inscription(enregistreur, settings, creds)
    avant = _envoie(enregistreur, *partenaires)  # accueil, activity, positionnement...
    proc = processor_factory()
    lot = proc.handle(avant)
    assert {o.statut for o in lot.outcomes} == {"parque"} and lot.envois == []
    rows = proc.attente.parques()
    assert [(r.value, decode_headers(r.headers), r.kafka_key) for r in rows] == \
        [(m.value, m.headers, m.key) for m in avant]
    assert proc.handle(avant).outcomes[0].statut == "parque"  # a redelivery parks nothing new
    assert proc.attente.compte() == len(avant)

    restarted = processor_factory()  # the parking is durable
    lot = restarted.handle(_envoie(enregistreur, inscription))
    assert [o.statut for o in lot.outcomes] == ["accepte"] and lot.envois == []
    assert restarted.attente.compte() == 0
    p = restarted.app.parcours(cle)
    assert p.mission_locale is not None and len(p.traites) == 1 + len(partenaires)


def test_within_one_batch_the_waiting_facts_go_right_after_the_enrolment(
        enregistreur, processor_factory, settings, creds):
    cle, inscription, partenaires = _accueil_puis_inscription(enregistreur, settings, creds)
    accueil, activite = partenaires[0], partenaires[1]
    assert (accueil.methode, activite.methode) == ("accueil_realise", "activite_realisee")
    batch = _envoie(enregistreur, accueil, inscription, activite)
    lot = processor_factory().handle(batch)
    assert [o.statut for o in lot.outcomes] == ["accepte"] * 3


def test_an_orphan_is_refused_after_the_delay_with_its_first_seen_time(
        enregistreur, processor_factory, settings, creds):
    _, _, partenaires = _accueil_puis_inscription(enregistreur, settings, creds)
    msg = _envoie(enregistreur, partenaires[0])
    maintenant = [datetime.now(timezone.utc)]
    proc = processor_factory(delai=60, horloge=lambda: maintenant[0])
    proc.handle(msg)
    first_seen = proc.attente.parques()[0].first_seen
    assert proc.balayer() == []  # not yet
    maintenant[0] += timedelta(seconds=61)
    envois = proc.balayer()
    assert len(envois) == 1 and envois[0].reason == "ORPHELIN"
    doc = json.loads(envois[0].document)
    assert (doc["reason"], doc["topic"], doc["offset"]) == ("ORPHELIN", msg[0].topic, msg[0].offset)
    assert datetime.fromisoformat(doc["first_seen"]).replace(tzinfo=None) == first_seen.replace(tzinfo=None)
    assert [k for k, _ in doc["headers"]] == [k for k, _ in msg[0].headers]
    assert proc.attente.compte() == 0
    assert proc.balayer()[0].row_id == envois[0].row_id  # not acknowledged: sent again
    proc.liberer(envois)
    assert proc.balayer() == []


def test_a_shuffled_cohort_decides_like_the_ordered_one(enregistreur, processor_factory, settings,
                                                         creds, tmp_path, bases_postgres):
    cohorte = generer(list(creds.values()), 12, seed=5, secret=settings.pseudonym_secret)
    proc = processor_factory(delai=0)
    statuts = []
    for i in range(0, len(cohorte.faits), 7):  # small batches, as the agent takes them
        statuts += [o.statut for o in proc.handle(_envoie(enregistreur, *cohorte.faits[i:i + 7])).outcomes]
    refus = [json.loads(e.document)["reason"] for e in proc.balayer()]
    assert statuts.count("refuse") == 1 and statuts.count("accepte") == len(statuts) - 1 - statuts.count("parque")
    assert sorted(refus) == sorted(cohorte.refus.elements())  # the unsent refusals, and the orphans
    ordered = {cle: (p.version, p.clos) for cle, p in _parcours(proc, enregistreur)}
    assert len(ordered) == cohorte.entrees

    settings2 = type(settings)(var_dir=tmp_path / "shuffled", schemas_dir=settings.schemas_dir,
                               event_store=bases_postgres())
    from ambition.contracts.partners import PartnerDirectory, demo_partners
    from ambition.ingest.processor import Processor
    from ambition.bootstrap import make_app
    demo_partners(settings2)
    settings2.partners_file.write_text(settings.partners_file.read_text())
    proc2 = Processor(settings2, make_app(settings2), proc.registry, PartnerDirectory.load(settings), delai=0)
    melange = melanger(cohorte.faits, seed=11)
    parked = 0
    for i in range(0, len(melange), 7):
        parked += sum(o.statut == "parque" for o in proc2.handle(_envoie(enregistreur, *melange[i:i + 7])).outcomes)
    assert parked > 3  # the shuffle did put facts before their enrolments
    refus2 = [json.loads(e.document)["reason"] for e in proc2.balayer()]
    assert sorted(refus2) == sorted(refus)
    assert {cle: (p.version, p.clos) for cle, p in _parcours(proc2, enregistreur)} == ordered


def _parcours(proc, enr):
    """Every parcours the sent messages address (the platform opens each subject)."""
    seen = set()
    for m in enr.messages:
        try:
            lu = lire(proc.partner_type_of[m.topic], m.value, m.headers, proc.registry, proc.partners)
        except Rejet:
            continue
        if lu.cle and lu.cle not in seen and proc.app.parcours(lu.cle) is not None:
            seen.add(lu.cle)
            yield lu.cle, proc.app.parcours(lu.cle)


def test_the_sweep_replays_a_parked_fact_once_its_parcours_exists(
        enregistreur, processor_factory, settings, creds):
    """The enrolment was decided by another worker (another partition), so no batch of this one
    carried it: the sweep finds the parcours by its key and replays the parked accueil, well
    before the parking delay (one hour) would make it ORPHELIN."""
    cle, inscription, partenaires = _accueil_puis_inscription(enregistreur, settings, creds)
    accueil = partenaires[0]
    assert accueil.methode == "accueil_realise"
    proc = processor_factory()
    assert [o.statut for o in proc.handle(_envoie(enregistreur, accueil)).outcomes] == ["parque"]
    autre_worker = processor_factory()
    fait = autre_worker._source(_envoie(enregistreur, inscription)[0]).fait
    assert [r.statut for r in autre_worker.app.traiter_lot([fait])] == [ACCEPTE]
    assert proc.attente.compte() == 1 and proc.app.parcours(cle).mission_locale is None

    assert proc.balayer() == []  # replayed and accepted: nothing to send to the rejected topic
    assert proc.attente.compte() == 0
    p = proc.app.parcours(cle)
    assert f"ml:{p.mission_locale}" == accueil.partner_id and len(p.traites) == 2


def test_a_partner_registered_after_start_is_known_from_the_next_batch(
        enregistreur, processor_factory, settings, registry):
    """`ambition partners add` while the processor runs: the new lycée's first enrolment is
    accepted, not refused SIGNATURE_INVALIDE (its retries after a refusal need this too)."""
    from contracts_support import INSCRIPTION

    from ambition.contracts.partners import Credentials, add_partner
    from ambition.sdk import LyceeProducer

    proc = processor_factory()
    pid, private = add_partner(settings, "LYCEE", "0010002X")
    nouveau = LyceeProducer(Credentials(pid, "LYCEE", "0010002X", private), settings=settings,
                            registry=registry, producer=enregistreur.kafka)
    nouveau.eleve_inscrit(**{**INSCRIPTION, "ine": "7123456789Z"})
    lot = proc.handle(enregistreur.nouveaux())
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("accepte", None)]
