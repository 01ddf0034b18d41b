"""Processors started together on a new PostgreSQL database (several of them in one consumer
group, or restarted together): each creates the event store's, the waiting room's and the
receipts' tables if missing, and none fails because another created them at the same moment."""
from __future__ import annotations

import threading

import pytest

from ambition.bootstrap import make_app
from ambition.config import Settings
from ambition.ingest.parking import Attente
from ambition.sqlstore import make_engine, sqlalchemy_url

pytestmark = pytest.mark.integration

ENSEMBLE = 6


def test_processors_starting_together_on_a_new_database_all_start(postgres_dsn, tmp_path):
    settings = Settings(var_dir=tmp_path, event_store=postgres_dsn)
    depart, erreurs, moteurs, apps = threading.Barrier(ENSEMBLE), [], [], []

    def demarre():
        engine = make_engine(sqlalchemy_url(postgres_dsn, tmp_path / "unused.sqlite"))
        moteurs.append(engine)
        engine.connect().close()  # connected before the barrier: the creations meet
        depart.wait()
        try:  # what a processor opens at start, in this order
            apps.append(make_app(settings))
            Attente(settings, engine)
        except Exception as exc:
            erreurs.append(exc)

    fils = [threading.Thread(target=demarre) for _ in range(ENSEMBLE)]
    for f in fils:
        f.start()
    for f in fils:
        f.join(60)
    for engine in moteurs:
        engine.dispose()
    for app in apps:
        app.close()
    assert erreurs == []
    assert Attente(settings).compte() == 0  # the tables are there, empty
