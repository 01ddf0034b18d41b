"""The whole platform on its real broker: an élève enrolled at lycée A, closed, re-enrolled at
lycée B; the first outcome corrected, then a move from mission locale A to B. Both lycées',
both missions locales' and the PSAD's views, then a rebuild of every view from the event store,
equal the hand-computed ground truth of `parcours_successifs`."""
from __future__ import annotations

import time

import parcours_successifs as ps
import pytest
from platform_support import producteurs

from ambition.contracts.codec import Registry
from ambition.bootstrap import make_app
from ambition.sqlstore import read_engine
from ambition_projections.rebuild import rebuild

pytestmark = pytest.mark.e2e


def _attendre(condition, quoi: str, running, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{quoi}: not reached in {timeout} s"
        assert not running.platform.dead(), f"worker(s) died: {running.platform.dead()}"
        time.sleep(0.3)


def test_deux_parcours_une_correction_et_un_demenagement_de_bout_en_bout(running):
    r = running
    store = make_app(r.settings)
    prods = producteurs(r)
    cle = ps.INE  # each partner's SDK seals it: the platform derives the parcours key
    try:
        # each step waits for the facts it builds on: the partners' topics are not ordered together
        for i, lot in enumerate(ps.par_etape()):
            for partner, type_, payload in lot:
                ps.envoyer(prods[partner], type_, cle, payload)
            attendu = ps.evenements_apres(i)
            _attendre(lambda: (store.recorder.max_notification_id() or 0) >= attendu,
                      f"step {i + 1}: {attendu} domain events stored", r)
    finally:
        for p in prods.values():
            p.close()
    assert store.recorder.max_notification_id() == ps.VERSIONS  # nothing refused, nothing twice
    pid = r.get(f"/v1/lycees/{ps.UAI_A}/eleves", f"lycee:{ps.UAI_A}")["items"][0]["parcours_id"]
    _attendre(lambda: r.get(f"/v1/parcours/{pid}/chronologie", "psad:national",
                            limit=100)["total"] == ps.VERSIONS, "every event projected", r)
    ps.verifier_les_vues(lambda actor, path, **params: r.get(path, actor, **params), pid)

    engine = read_engine(r.settings)
    try:
        rebuild(engine, store, Registry.load(r.settings.schemas_dir), progress=False)
    finally:
        engine.dispose()
    ps.verifier_les_vues(lambda actor, path, **params: r.get(path, actor, **params), pid)
