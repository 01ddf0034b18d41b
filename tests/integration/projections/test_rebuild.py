"""`ambition rebuild`: the views rebuilt from the event store equal the ones built incrementally
from the stream; the API serves the previous views until the new ones are complete."""
from __future__ import annotations

from aide_vues import charger, projeter, records_of, tout
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.cli import main
from ambition.parcours.exemples import fait
from ambition_projections import generations
from ambition_projections import rebuild as rebuild_module
from ambition_projections.rebuild import rebuild
from ambition_projections.runner import VUES

PSAD = {"Authorization": "Bearer t-psad"}


def test_rebuilt_views_equal_the_incrementally_built_ones(parcours_app, registry, engine):
    records = records_of(parcours_app, registry)
    projeter(engine, records, taille=5)
    projeter(engine, records[3:20], taille=4)  # redeliveries on the way
    incremental = tout(engine)
    done = rebuild(engine, parcours_app, registry, progress=False, page=16)
    assert done["generations"] == {name: 2 for name in VUES}
    assert done["evenements"] == len(records)
    assert tout(engine) == incremental
    rebuild(engine, parcours_app, registry, progress=False)  # again: generation 3, still equal
    assert tout(engine) == incremental
    assert generations.existantes(engine, VUES["lycee"]) == [2, 3]  # previous kept, older dropped


def test_the_api_serves_the_previous_views_until_the_switch(parcours_app, registry, engine, settings,
                                                            monkeypatch):
    projeter(engine, records_of(parcours_app, registry))
    api = TestClient(create_app(settings, Jetons({"psad:national": "t-psad"})))
    assert api.get("/v1/psad/synthese", headers=PSAD).json()["entrees"] == 12
    seen = []
    real = rebuild_module.appliquer

    def during_rebuild(conn, records, cibles, **options):
        if not seen:  # first page of the rebuild: the old generation is served, complete
            seen.append(api.get("/v1/psad/synthese", headers=PSAD).json()["entrees"])
            # meanwhile a new élève is enrolled and the worker projects it into the served views
            charger(parcours_app, [fait("EleveInscrit", cle="f" * 32, ine="9999999999Z")])
            projeter(engine, records_of(parcours_app, registry)[-1:])
            seen.append(api.get("/v1/psad/synthese", headers=PSAD).json()["entrees"])
        return real(conn, records, cibles, **options)

    monkeypatch.setattr(rebuild_module, "appliquer", during_rebuild)
    rebuild(engine, parcours_app, registry, progress=False, page=10)
    assert seen == [12, 13]
    # the event stored during the rebuild was caught up at the switch
    assert api.get("/v1/psad/synthese", headers=PSAD).json()["entrees"] == 13
    with engine.connect() as conn:
        assert generations.courantes(conn) == {name: 2 for name in VUES}


def test_rebuild_one_view_from_the_command_line(parcours_app, registry, engine, settings, monkeypatch, capsys):
    projeter(engine, records_of(parcours_app, registry))
    before = tout(engine)
    monkeypatch.setenv("AMBITION_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("AMBITION_READ_STORE", settings.read_store)
    assert main(["rebuild", "--projection", "psad"]) == 0
    out = capsys.readouterr()
    assert "view psad: generation 2 now served" in out.out
    assert "rebuild psad" in out.err  # the progress bar
    with engine.connect() as conn:
        assert generations.courantes(conn) == {**{n: 1 for n in VUES}, "psad": 2}
    assert tout(engine) == before


def test_one_rebuild_at_a_time(parcours_app, registry, engine):
    import pytest

    from ambition_projections.rebuild import RebuildEnCours, un_seul_rebuild

    with un_seul_rebuild(engine):
        with pytest.raises(RebuildEnCours, match="another `ambition rebuild` is running"):
            rebuild(engine, parcours_app, registry, progress=False)
    assert rebuild(engine, parcours_app, registry, progress=False)["generations"]["psad"] == 2
