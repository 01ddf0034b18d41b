"""The projection worker follows the event store's notification log: every stored event
reaches every view once, whatever was lost on the way, and its position is kept with the rows."""
from __future__ import annotations

from aide_vues import charger, scenario, tout
from sqlalchemy import select

from ambition.parcours.exemples import fait
from ambition_projections import generations
from ambition_projections.rebuild import rebuild
from ambition_projections.runner import VUES, ProjectionWorker


def _jusqu_au_bout(worker: ProjectionWorker, page: int = 7) -> int:
    total = 0
    while n := worker.step(page):
        total += n
    return total


def _positions(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return generations.positions(conn)


def _synthese(engine) -> int:
    psad = generations.tables(VUES["psad"], 1)
    with engine.connect() as conn:
        return len(conn.execute(select(psad.suivi)).all())


def test_the_worker_projects_every_stored_event_and_tracks_its_position(settings, engine, registry,
                                                                         parcours_app):
    worker = ProjectionWorker(settings, engine, registry, app=parcours_app)
    stockes = parcours_app.recorder.max_notification_id()
    assert _jusqu_au_bout(worker) == stockes
    assert _positions(engine) == {name: stockes for name in VUES}
    assert _synthese(engine) == len({f.cle for f in scenario()})  # every parcours, once
    avant = tout(engine)
    assert worker.step() == 0 and tout(engine) == avant  # nothing new, nothing changes
    # a page applied again (a crash after the commit, before the worker knew) counts once
    worker._appliquer(worker.journal.lire(1, 500))
    assert tout(engine) == avant
    charger(parcours_app, [fait("EleveInscrit", cle="e" * 32, ine="9999999999Z")])
    assert _jusqu_au_bout(worker) == 1
    assert _synthese(engine) == len({f.cle for f in scenario()}) + 1


def test_a_rebuilt_view_ahead_of_the_worker_is_not_applied_twice(settings, engine, registry,
                                                                  parcours_app):
    worker = ProjectionWorker(settings, engine, registry, app=parcours_app)
    worker.step(5)  # the worker is behind: 5 notifications applied
    rebuild(engine, parcours_app, registry, ["psad"], progress=False)
    stockes = parcours_app.recorder.max_notification_id()
    assert _positions(engine)["psad"] == stockes and _positions(engine)["lycee"] == 5
    _jusqu_au_bout(worker)
    assert _positions(engine) == {name: stockes for name in VUES}
    apres = tout(engine)
    rebuild(engine, parcours_app, registry, progress=False)  # from scratch: the same views
    assert tout(engine) == apres
