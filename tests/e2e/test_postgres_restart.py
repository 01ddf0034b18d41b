"""PostgreSQL restarted in the middle of a stream (event store and read views on it): every
worker waits for it and goes on, none exits, the outage shows in the metrics, and every view
equals the ground truth computed from what the partners sent: nothing lost, nothing twice.

PostgreSQL is a private cluster started by the test (tests/pgcluster.py), never the shared one."""
from __future__ import annotations

import urllib.request

import pytest
from pgcluster import ClusterPrive
from platform_support import arreter, demarrer, producteurs
from verite import Verite, attendre, verifier_vues

from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from ambition.exchange.cohorte import envoyer, generer, melanger
from ambition.bootstrap import make_app

pytestmark = pytest.mark.e2e


def _outages(port: int) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as r:
        text = r.read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("ambition_store_outages_total{"))


def test_postgresql_restarted_mid_stream_loses_nothing_and_stops_nothing(tmp_path):
    with ClusterPrive() as pg:
        evenements, vues = pg.nouvelle_base(), pg.nouvelle_base()
        r = demarrer(tmp_path, AMBITION_EVENT_STORE=evenements, AMBITION_READ_STORE=vues,
                     AMBITION_PARKING_SWEEP="1", AMBITION_BATCH_SIZE="20")
        try:
            store = make_app(Settings(var_dir=r.settings.var_dir, event_store=evenements))
            cohorte = generer(demo_partners(r.settings), 30, seed=14, orphelins=False,
                              secret=r.settings.pseudonym_secret)
            tous = melanger(cohorte.faits, seed=5)
            faits, clotures = [f for f in tous if not f.cloture], [f for f in tous if f.cloture]
            prods = producteurs(r)
            moitie = len(faits) // 2
            envoyer(faits[:moitie], prods)
            attendre(lambda: (store.recorder.max_notification_id() or 0) > 10, 60, "facts stored")
            pg.stop()  # sessions terminated (AdminShutdown), as `pg_ctlcluster restart` does
            envoyer(faits[moitie:], prods)  # the broker takes them; the processor must wait
            attendre(lambda: _outages(r.settings.ingest_metrics_port) >= 1, 120,
                     "the processor never saw the event store away")
            pg.start()
            assert not r.platform.dead(), "a worker exited during the PostgreSQL restart"
            # every fact but the ineligible enrolment gives one event
            attendre(lambda: (store.recorder.max_notification_id() or 0) >= len(faits) - 1, 120,
                     "every fact stored after the restart")
            envoyer(clotures, prods)
            v = Verite()
            v.ajouter(cohorte)
            verifier_vues(lambda path, actor, **p: r.get(path, actor, **p), v)
            assert _outages(r.settings.projection_metrics_port) >= 1  # it waited too
            assert not r.platform.dead()
        finally:
            arreter(r)
