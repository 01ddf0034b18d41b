"""One domain event a view cannot apply never stops the views (PostgreSQL, the real columns):
it is parked with its reason, counted, and the events after it are applied."""
from __future__ import annotations

from aide_vues import charger
from sqlalchemy import select

from ambition import metrics
from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.bootstrap import make_app
from ambition.parcours.exemples import fait
from ambition.sqlstore import read_engine
from ambition_projections import lycee
from ambition_projections.erreurs import erreurs
from ambition_projections.generations import positions, tables
from ambition_projections.runner import ProjectionWorker, create_tables


def test_an_event_too_long_for_a_column_is_parked_and_the_views_go_on(postgres_dsn, tmp_path):
    settings = Settings(var_dir=tmp_path / "var", read_store=postgres_dsn)
    registry = Registry.load(settings.schemas_dir)
    engine = read_engine(settings)
    create_tables(engine)
    app = make_app(settings)
    # stored before the reading edge bounded the référent: 300 characters, the column holds 200
    charger(app, [fait("EleveInscrit", cle="b" * 32, referent="R" * 300),
                  fait("EleveInscrit", cle="g" * 32, referent="M. Durand")])
    bad, good = (str(app.parcours(c).id) for c in ("b" * 32, "g" * 32))
    before = metrics.PROJECTION_ERRORS.labels("lycee")._value.get()
    worker = ProjectionWorker(settings, engine, registry, app=app)
    assert worker.step() == 2
    with engine.connect() as conn:
        parked = conn.execute(select(erreurs)).mappings().all()
        eleves = {r.parcours_id: r.referent for r in conn.execute(select(tables(lycee, 1).eleves))}
        atteintes = positions(conn)
    assert {(p["projection"], p["parcours_id"], p["type"]) for p in parked} >= {("lycee", bad, "EleveInscrit")}
    assert all("character varying(200)" in p["raison"] and "RRRR" not in p["raison"] for p in parked)
    assert eleves == {good: "M. Durand"}  # the next event was applied: the view went on
    assert metrics.PROJECTION_ERRORS.labels("lycee")._value.get() == before + 1
    assert atteintes["lycee"] == 2  # the position passed the parked event: nothing blocks
    charger(app, [fait("EleveInscrit", cle="h" * 32, referent="Mme Petit")])
    assert worker.step() == 1
    with engine.connect() as conn:
        assert len(conn.execute(select(erreurs)).all()) == len(parked)
    engine.dispose()
