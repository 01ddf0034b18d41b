"""Receipts are kept for the retention period, then deleted once published; a receipt not yet
on the receipts topic stays. Real PostgreSQL and a SQLite file."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from sqlalchemy import update

from ambition.accuses import registre
from ambition.sqlstore import make_engine, sqlalchemy_url

pytestmark = pytest.mark.integration
LU = SimpleNamespace(topic="ambition.partenaires.lycee", partition=0, offset=1)


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path):
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    e = make_engine(sqlalchemy_url(dsn, tmp_path / "store.sqlite"))
    registre.creer(e)
    yield e
    e.dispose()


def test_old_published_receipts_are_deleted_the_others_stay(engine):
    maintenant = datetime.now(timezone.utc)
    with engine.begin() as conn:
        registre.inserer(conn, [registre.ligne(f"r{i}", "lycee:0753268V", "accepte", LU, event_id=f"e{i}")
                                for i in range(4)])
        # e0, e1: decided 100 days ago; e2: 89 days ago; e3: today. e1 never reached the topic.
        for ref, jours in (("r0", 100), ("r1", 100), ("r2", 89)):
            conn.execute(update(registre.accuses).where(registre.accuses.c.ref == ref)
                         .values(decide_le=maintenant - timedelta(days=jours)))
    publies = [a.position for a in registre.lire(engine, "lycee:0753268V") if a.event_id != "e1"]
    registre.marquer_publies(engine, publies)

    assert registre.purger(engine, maintenant - timedelta(days=90)) == 1
    restants = registre.lire(engine, "lycee:0753268V")
    assert [a.event_id for a in restants] == ["e1", "e2", "e3"]
    assert registre.purger(engine, maintenant - timedelta(days=90)) == 0
