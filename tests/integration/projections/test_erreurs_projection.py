"""One domain event a view cannot apply never stops the views (PostgreSQL, the real columns):
it is parked with its reason, counted, and the events after it are applied."""
from __future__ import annotations

import copy
from collections import namedtuple

from sqlalchemy import select

from ambition import metrics
from ambition.config import Settings, load_topics
from ambition.contracts.codec import Registry
from ambition.contracts.exemples import exemple
from ambition.sqlstore import read_engine
from ambition_projections import lycee
from ambition_projections.erreurs import erreurs
from ambition_projections.generations import tables
from ambition_projections.runner import ProjectionWorker, create_tables

Record = namedtuple("Record", "topic partition offset value")


def _inscription(registry, pid: str, referent: str) -> bytes:
    sv = registry.schema("ambition.parcours.EleveInscrit")
    record = copy.deepcopy(exemple(sv.raw))
    record["parcours"]["parcours_id"] = pid
    record["envelope"]["event_id"] = pid
    record["referent"] = referent
    return registry.encode(sv.fullname, record)


def test_an_event_too_long_for_a_column_is_parked_and_the_views_go_on(postgres_dsn, tmp_path):
    settings = Settings(var_dir=tmp_path / "var", read_store=postgres_dsn)
    registry = Registry.load(settings.schemas_dir)
    engine = read_engine(settings)
    create_tables(engine)
    topic = load_topics().parcours
    bad, good = "00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"
    before = metrics.PROJECTION_ERRORS.labels("lycee")._value.get()
    worker = ProjectionWorker(settings, engine, registry)
    # written before the reading edge bounded the référent: 300 characters, the column holds 200
    worker.apply_batch([Record(topic, 0, 0, _inscription(registry, bad, "R" * 300)),
                        Record(topic, 0, 1, _inscription(registry, good, "M. Durand"))])
    with engine.connect() as conn:
        parked = conn.execute(select(erreurs)).mappings().all()
        t = tables(lycee, 1)
        eleves = {r.parcours_id: r.referent for r in conn.execute(select(t.eleves))}
    assert {(p["projection"], p["parcours_id"], p["type"]) for p in parked} >= {("lycee", bad, "EleveInscrit")}
    assert all("character varying(200)" in p["raison"] and "RRRR" not in p["raison"] for p in parked)
    assert eleves == {good: "M. Durand"}  # the next event was applied: the view went on
    assert metrics.PROJECTION_ERRORS.labels("lycee")._value.get() == before + 1
    # the next batch flows normally (tracking advanced past the parked event)
    worker.apply_batch([Record(topic, 0, 2, _inscription(registry, bad, "R" * 300))])
    with engine.connect() as conn:
        assert len(conn.execute(select(erreurs)).all()) == len(parked)
    engine.dispose()
