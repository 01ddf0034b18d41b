"""Read views on SQLite and on PostgreSQL, fed from a real parcours application (SQLite event store)."""
from __future__ import annotations

import pytest
from aide_vues import charger, scenario

from ambition.config import Settings
from ambition.contracts.codec import Registry
from ambition.bootstrap import make_app
from ambition.sqlstore import read_engine
from ambition_projections import generations
from ambition_projections.runner import create_tables


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request, tmp_path) -> Settings:
    dsn = request.getfixturevalue("postgres_dsn") if request.param == "postgres" else ""
    return Settings(var_dir=tmp_path / "var", read_store=dsn)


@pytest.fixture
def registry(settings) -> Registry:
    return Registry.load(settings.schemas_dir)


@pytest.fixture
def parcours_app(settings):
    """The parcours application (SQLite event store under var/) holding the scenario."""
    app = make_app(settings)
    charger(app, scenario())
    return app


@pytest.fixture
def engine(settings):
    # each test defines the views' tables itself, so what a test asserts covers the tables'
    # definition too (not only the first test of the process, which filled the cache)
    generations._cache.clear()
    engine = read_engine(settings)
    create_tables(engine)
    yield engine
    engine.dispose()
