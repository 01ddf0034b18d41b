"""Territory of a lycée: its académie from the UAI's département digits, or the configured mapping."""
from __future__ import annotations

from ambition.config import Settings
from ambition_projections import territoires
from ambition_projections.territoires import INCONNU, territoire


def test_academie_from_the_departement_digits():
    assert territoire("0753268V") == "ac-paris"
    assert territoire("0690026D") == "ac-lyon"
    assert territoire("0010001W") == "ac-lyon"
    assert territoire("9740001X") == "ac-la-reunion"
    assert territoire("6200001A") == "ac-corse"
    assert territoire("0000001A") == INCONNU and territoire(None) == INCONNU


def test_configured_mapping_by_uai_or_departement(monkeypatch):
    monkeypatch.setenv("AMBITION_TERRITOIRES", '{"0753268V": "bassin-paris-centre", "069": "rhone"}')
    assert territoire("0753268V") == "bassin-paris-centre"
    assert territoire("0750650Z") == "ac-paris"
    assert territoire("0690026D") == "rhone"


def test_the_projections_mapping_is_read_once_from_the_settings_given(monkeypatch):
    monkeypatch.setenv("AMBITION_TERRITOIRES", '{"069": "rhone"}')
    carte = territoires.carte(Settings())
    monkeypatch.setenv("AMBITION_TERRITOIRES", '{"069": "lyon-metropole"}')
    assert carte("0690026D") == "rhone"  # a worker keeps the mapping it started with
    assert territoire("0690026D") == "lyon-metropole"  # the API reads the settings each time
    assert carte("0753268V") == "ac-paris" and carte(None) == INCONNU
    assert "rhone" in carte.connus() and "rhone" not in territoires.connus()
