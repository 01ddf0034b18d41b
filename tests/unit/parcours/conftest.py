"""Given / When / Then helpers over an in-memory parcours application."""
from __future__ import annotations

import pytest

from ambition.bootstrap import make_app
from ambition.parcours.faits import ACCEPTE, Fait, Resultat


@pytest.fixture
def app():
    return make_app(PERSISTENCE_MODULE="eventsourcing.popo")


@pytest.fixture
def etant_donne(app):
    def _etant_donne(*faits: Fait) -> None:
        for fait, r in zip(faits, app.traiter_lot(list(faits))):
            assert r.statut == ACCEPTE, (fait.type, r)
    return _etant_donne


@pytest.fixture
def quand(app):
    def _quand(fait: Fait) -> Resultat:
        return app.traiter_lot([fait])[0]
    return _quand
