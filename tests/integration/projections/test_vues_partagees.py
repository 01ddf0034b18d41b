"""Projection workers sharing the views (PostgreSQL, `AMBITION_PROJECTION_SHARES`): each page
of a worker takes the views furthest behind that no other worker holds, so two workers apply
different views at the same time; together, or one alone taking the shares in turn, they make
the same views as one worker applying every view."""
from __future__ import annotations

import threading

import pytest
from aide_vues import tout
from sqlalchemy import select

from ambition_projections import generations
from ambition_projections.runner import VUES, ProjectionWorker


@pytest.fixture
def settings(postgres_dsn, tmp_path):
    from ambition.config import Settings

    return Settings(var_dir=tmp_path / "var", read_store=postgres_dsn)


def _positions(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return generations.positions(conn)


def _jusqu_au_bout(worker: ProjectionWorker, page: int = 7) -> None:
    while worker.step(page):
        pass


def test_une_part_est_prise_par_les_vues_les_plus_en_retard_que_personne_ne_tient(
        settings, engine, registry, parcours_app):
    stockes = parcours_app.recorder.max_notification_id()
    # another worker is applying the three views furthest behind (ties: by name), in its
    # transaction: chronologie, foquale, lycee
    with engine.begin() as autre:
        tenues = generations.verrouiller(autre, 2)
        assert sorted(tenues) == ["chronologie", "foquale", "lycee"]
        worker = ProjectionWorker(settings, engine, registry, app=parcours_app, parts=2)
        assert worker.step(500) == stockes  # the other share: missionlocale and psad
        assert _positions(engine) == {"chronologie": 0, "foquale": 0, "lycee": 0,
                                      "missionlocale": stockes, "psad": stockes}
        with engine.begin() as deuxieme, engine.begin() as troisieme:
            assert sorted(generations.verrouiller(deuxieme, 2)) == ["missionlocale", "psad"]
            assert generations.verrouiller(troisieme, 2) == {}  # nothing free: it waits


def test_deux_travailleurs_font_les_vues_d_un_seul(settings, engine, registry, parcours_app):
    seul = ProjectionWorker(settings, engine, registry, app=parcours_app, parts=1)
    _jusqu_au_bout(seul)
    attendu = tout(engine)
    stockes = parcours_app.recorder.max_notification_id()
    with engine.begin() as conn:  # the views emptied, as new: applied again by two workers
        for nom in VUES:
            for table in vars(generations.tables(VUES[nom], 1)).values():
                if table is not None and hasattr(table, "delete"):
                    conn.execute(table.delete())
        conn.execute(generations.generations.update().values(position=None))
    assert all(not rows for vue in tout(engine).values() for rows in vue.values())

    deux = [ProjectionWorker(settings, engine, registry, app=parcours_app, parts=2) for _ in range(2)]
    erreurs = []

    def suivre(w):
        try:
            _jusqu_au_bout(w, page=5)
        except Exception as exc:  # shown below: a thread's exception is not the test's
            erreurs.append(exc)

    fils = [threading.Thread(target=suivre, args=(w,)) for w in deux]
    for f in fils:
        f.start()
    for f in fils:
        f.join(timeout=120)
    assert not erreurs
    # one of them may have stopped while the other held the rest: the rest done by either
    _jusqu_au_bout(deux[0])
    assert _positions(engine) == {nom: stockes for nom in VUES}
    assert tout(engine) == attendu


def test_un_travailleur_seul_prend_les_parts_tour_a_tour(settings, engine, registry, parcours_app):
    worker = ProjectionWorker(settings, engine, registry, app=parcours_app, parts=2)
    stockes = parcours_app.recorder.max_notification_id()
    assert worker.step(500) == stockes
    premiere = {n for n, p in _positions(engine).items() if p == stockes}
    assert premiere == {"chronologie", "foquale", "lycee"}
    assert worker.step(500) == stockes
    assert _positions(engine) == {nom: stockes for nom in VUES}
    assert worker.step(500) == 0
