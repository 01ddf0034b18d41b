"""The rejected topic's projection records a retry against its rejection (never as a new
refusal, never when the bytes differ); a message that makes the processing fail is refused
ERREUR_TRAITEMENT on its own, never lost, never blocking its batch."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from ambition import rejets
from ambition.sqlstore import make_engine
from ambition_projections import refus
from ambition_projections.runner import create_tables
from ambition_projections.tables import refus as vue

pytestmark = pytest.mark.integration


@pytest.fixture
def engine(tmp_path):
    e = make_engine(f"sqlite:///{tmp_path / 'views.sqlite'}")
    create_tables(e)
    return e


def _doc(headers=(), original=b"\xc3\x01bytes", reason="SIGNATURE_INVALIDE", offset=7):
    return rejets.document(reason, "unknown partner", topic="ambition.partenaires.lycee", partition=1,
                           offset=offset, original=original, key=b"k" * 32, headers=list(headers))


def test_a_retry_is_recorded_against_its_rejection_and_is_not_a_new_refusal(engine):
    with engine.begin() as conn:
        assert refus.apply(conn, _doc([("ce_id", b"x")]))
        assert not refus.apply(conn, _doc([("ce_id", b"x")]))  # redelivered
        rid = conn.execute(select(vue.c.rejet_id)).scalar_one()
        row = conn.execute(select(vue)).first()
        assert (row.kafka_key, json.loads(row.headers)) == (b"k" * 32, [["ce_id", "eA=="]])
        essai = [(rejets.RETRY_OF, rid.encode()), (rejets.RETRY_ID, b"r1")]
        assert refus.apply(conn, _doc(essai, offset=8))  # refused again: recorded, not counted
        ok = rejets.resultat_retry("accepte", original=b"\xc3\x01bytes", headers=essai[:1] + [
            (rejets.RETRY_ID, b"r2")], topic="t", partition=1, offset=9)
        assert refus.apply(conn, ok)
        spoof = rejets.resultat_retry("accepte", original=b"other bytes", headers=essai, topic="t",
                                      partition=1, offset=10)
        assert not refus.apply(conn, spoof)  # names the rejection, but not its bytes
        assert conn.execute(select(func.count()).select_from(vue)).scalar_one() == 1
        row = conn.execute(select(vue)).first()
        assert (row.essais, row.dernier_resultat) == (2, "accepte")
        assert [e.resultat for e in conn.execute(select(refus.essais).order_by(refus.essais.c.at))] == \
            ["refuse:SIGNATURE_INVALIDE", "accepte"]
        assert not refus.apply(conn, b"not json")  # never crashes the projection


def test_a_poison_message_is_refused_alone(enregistreur, processor_factory, settings, creds):
    from ambition.exchange.cohorte import generer
    from ambition.ingest.processor import POISON_AFTER

    cohorte = generer(list(creds.values()), 2, seed=4, secret=settings.pseudonym_secret)
    for f in cohorte.faits[:2]:
        getattr(enregistreur.producteurs[f.partner_id], f.methode)(**f.champs)
    batch = enregistreur.nouveaux()
    proc = processor_factory()
    real = proc.app.traiter_lot

    def traiter_lot(faits):
        if any(f.event_id == cohorte.faits[1].champs["event_id"] for f in faits):
            raise RuntimeError("a bug met by this message only")
        return real(faits)

    proc.app.traiter_lot = traiter_lot
    for _ in range(POISON_AFTER - 1):  # maybe a passing failure: the agent retries the batch
        with pytest.raises(RuntimeError):
            proc.handle(batch)
    lot = proc.handle(batch)
    assert [(o.statut, o.reason) for o in lot.outcomes] == [("doublon", None), ("refuse", "ERREUR_TRAITEMENT")]
    doc = json.loads(lot.envois[0].document)
    assert doc["offset"] == batch[1].offset and doc["original"]



def test_a_real_database_outage_refuses_nothing_and_loses_nothing(
        enregistreur, settings, registry, directory, creds, pg_prive, request):
    """The event store's PostgreSQL (a private cluster) is stopped: every attempt fails and is
    retried, nothing is refused or parked; once it is started again the same batch is decided
    (the agent retries it), exactly once."""
    import dataclasses

    from ambition.exchange.cohorte import generer
    from ambition.ingest.parking import A_ENVOYER, PARQUE
    from ambition.ingest.processor import POISON_AFTER, Processor
    from ambition.bootstrap import make_app
    from attente import jusqua

    ici = dataclasses.replace(settings, event_store=pg_prive.nouvelle_base())
    store = make_app(ici)
    request.addfinalizer(store.close)
    proc = Processor(ici, store, registry, directory)
    cohorte = generer(list(creds.values()), 2, seed=4, secret=settings.pseudonym_secret)
    f = cohorte.faits[0]
    getattr(enregistreur.producteurs[f.partner_id], f.methode)(**f.champs)
    batch = enregistreur.nouveaux()

    pg_prive.stop()
    for _ in range(POISON_AFTER + 2):
        with pytest.raises(Exception):
            proc.handle(batch)
    pg_prive.start()

    def decide():
        try:
            return proc.handle(batch)
        except Exception:
            return None  # a connection from before the restart: the agent retries the batch
    lot = jusqua(decide, "the batch decided once PostgreSQL is back")
    assert [o.statut for o in lot.outcomes] == ["accepte"] * len(batch) and lot.envois == []
    assert proc.attente.compte(PARQUE) == 0 and proc.attente.compte(A_ENVOYER) == 0
    again = proc.handle(batch)  # the agent's redelivery after the outage counts nothing twice
    assert [o.statut for o in again.outcomes] == ["doublon"] * len(batch)
