"""Names of lycées and missions locales: the demo list shipped in infra/, or a production file."""
from __future__ import annotations

import os

from ambition.config import Settings
from ambition.contracts.partners import DEMO
from ambition_projections.etablissements import noms


def test_every_demo_lycee_and_mission_locale_has_a_name():
    n = noms(Settings(etablissements_file=""))
    assert {i for t, i in DEMO if t == "LYCEE"} == set(n["lycees"])
    assert {i for t, i in DEMO if t == "MISSION_LOCALE"} == set(n["missions_locales"])
    assert n["lycees"]["0690026D"] == "Lycée professionnel de la Croix-Rousse (Lyon)"


def test_a_production_file_replaces_the_demo_list_and_is_reread_when_it_changes(tmp_path):
    f = tmp_path / "etablissements.toml"
    f.write_text('[lycees]\n"0010001W" = "LP A"\n[missions_locales]\n')
    settings = Settings(etablissements_file=str(f))
    assert noms(settings) == {"lycees": {"0010001W": "LP A"}, "missions_locales": {}}
    f.write_text('[lycees]\n"0010001W" = "LP B"\n[missions_locales]\n"13002526500013" = "ML"\n')
    os.utime(f, (1, 1))  # a different mtime, whatever the clock's resolution
    assert noms(settings)["lycees"]["0010001W"] == "LP B"
    assert noms(settings)["missions_locales"] == {"13002526500013": "ML"}
