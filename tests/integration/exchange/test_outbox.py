"""The outbound relay on the real broker: it resumes from its saved position, a crash between
publish and position-save republishes, and a partner subscribing with the SDK's consumer (and
the projections) deduplicate by (parcours id, version): nothing is lost, nothing counted twice."""
from __future__ import annotations

import dataclasses
import uuid
from collections import Counter
from datetime import date

import pytest
from ambition import metrics
from ambition.pseudonym import cle_parcours
from ambition.exchange.cohorte import generer
from ambition.outbox import Relay
from ambition.sdk.consumer import domain_events
from ambition.sqlstore import make_engine
from ambition_projections import generations, psad
from ambition_projections.runner import VUES, appliquer, create_tables

pytestmark = pytest.mark.integration


class RelayQuiMeurt(Relay):
    """Killed after the broker acknowledged the batch, before the position is saved."""

    def _save_position(self, position: int) -> None:
        raise SystemExit("killed between publish and position-save")


def _stocker(processor, enregistreur, faits):
    for f in faits:
        getattr(enregistreur.producteurs[f.partner_id], f.methode)(**f.champs)
    lot = processor.handle(enregistreur.nouveaux())
    return [o.statut for o in lot.outcomes]


def _recus(kafka_bootstrap, registry, parcours_ids, attendus: int):
    """What a partner receives with the SDK: the domain events of these parcours, read until the
    number the relays published has arrived (the idle timeout is only a generous safety net)."""
    recus = []
    for ev in domain_events(kafka_bootstrap, f"partner-{uuid.uuid4()}", registry=registry,
                            idle_timeout_ms=60_000, session_timeout_ms=6000,
                            heartbeat_interval_ms=1000, max_poll_interval_ms=5000):
        if ev.parcours["parcours_id"] in parcours_ids:
            recus.append(ev)
        if len(recus) >= attendus:
            break
    return recus


def test_relay_resumes_republishes_after_a_crash_and_consumers_deduplicate(
        kafka_bootstrap, settings, registry, processor_factory, enregistreur, creds, tmp_path):
    settings = dataclasses.replace(settings, kafka_bootstrap=kafka_bootstrap)
    cohorte = generer(list(creds.values()), 6, seed=21, secret=settings.pseudonym_secret)
    proc = processor_factory()
    moitie = len(cohorte.faits) // 2
    _stocker(proc, enregistreur, cohorte.faits[:moitie])
    app = proc.app

    relay = Relay(settings, app, registry)
    first = relay.step(limit=3)
    assert first == 3 and relay.position() == 3
    assert metrics.OUTBOX_LAG._value.get() == app.recorder.max_notification_id() - 3
    relay.step()
    assert metrics.OUTBOX_LAG._value.get() == 0
    publies = relay.position()

    _stocker(proc, enregistreur, cohorte.faits[moitie:])
    restarted = Relay(settings, app, registry)
    assert restarted.position() == publies  # resumes from its saved position
    with pytest.raises(SystemExit):
        RelayQuiMeurt(settings, app, registry).step()  # published, position not saved
    assert restarted.position() == publies
    republies = restarted.step()
    total = app.recorder.max_notification_id()
    assert republies == total - publies and restarted.position() == total

    ids = {str(p.id) for p in (app.parcours(cle_parcours(f.champs.get("cle") or f.champs["ine"],
                                                         settings.pseudonym_secret)) for f in cohorte.faits) if p}
    # published: the first relay's events, then the rest twice (the killed relay and the restarted one)
    recus = _recus(kafka_bootstrap, registry, ids, publies + 2 * (total - publies))
    versions = Counter((e.parcours["parcours_id"], e.parcours["version"]) for e in recus)
    assert len(versions) == total  # every stored event reached the partner...
    assert max(versions.values()) == 2  # ...some of them twice (the crash)
    ids_par_version: dict = {}
    for e in recus:  # a republished event keeps its event id: partners can dedupe on it too
        ids_par_version.setdefault((e.parcours["parcours_id"], e.parcours["version"]), set()).add(
            e.envelope["event_id"])
    assert all(len(v) == 1 for v in ids_par_version.values())

    engine = make_engine(f"sqlite:///{tmp_path / 'views.sqlite'}")
    create_tables(engine)
    with engine.begin() as conn:
        cibles = generations.verrouiller(conn)
        records = [{**e.payload, "envelope": e.envelope, "parcours": e.parcours} for e in recus]
        appliques = appliquer(conn, records, cibles)
        assert appliques == {name: total for name in VUES}  # the duplicates changed nothing
        vue = psad.synthese(conn, generations.tables(psad, cibles["psad"]), as_of=date(2026, 11, 20))
        assert vue["entrees"] == cohorte.entrees
        assert vue["issues"] == dict(sorted(cohorte.issues.items()))
