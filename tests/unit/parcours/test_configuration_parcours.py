from pathlib import Path

import pytest

from ambition.bootstrap import env_app, env_du_store
from ambition.config import Settings
from ambition.parcours.calendrier import Calendrier, annee_scolaire


def test_sqlite_par_defaut_sous_var_dir(tmp_path: Path):
    env = env_du_store(Settings(var_dir=tmp_path, event_store=""))
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite"
    assert env["SQLITE_DBNAME"] == str(tmp_path / "event-store.sqlite")


def test_postgresql_depuis_un_dsn(tmp_path: Path):
    env = env_du_store(Settings(var_dir=tmp_path,
                                event_store="postgresql://amb:s%40cret@db.local:6543/ambition"))
    assert {k: env[k] for k in env if k.startswith("POSTGRES_")} == {
        "POSTGRES_DBNAME": "ambition", "POSTGRES_HOST": "db.local", "POSTGRES_PORT": "6543",
        "POSTGRES_USER": "amb", "POSTGRES_PASSWORD": "s@cret", "POSTGRES_PRE_PING": "y",
        "POSTGRES_CONNECT_TIMEOUT": "2"}


def test_un_autre_store_est_refuse_avec_une_explication(tmp_path: Path):
    with pytest.raises(ValueError, match="postgresql://"):
        env_du_store(Settings(var_dir=tmp_path, event_store="mysql://x/y"))


def test_les_surcharges_gagnent(tmp_path: Path):
    env = env_app(Settings(var_dir=tmp_path), PERSISTENCE_MODULE="eventsourcing.popo")
    assert env["PERSISTENCE_MODULE"] == "eventsourcing.popo" and "SQLITE_DBNAME" not in env


def test_calendrier_configurable_et_annee_scolaire():
    cal = Calendrier.depuis_json('{"2026": "2026-08-31"}')
    assert str(cal.rentree(2026)) == "2026-08-31" and str(cal.rentree(2024)) == "2024-09-02"
    assert str(cal.rentree(2031)) == "2031-09-01"
    with pytest.raises(ValueError, match="AMBITION_CALENDRIER"):
        Calendrier.depuis_json("[1]")
    from datetime import date
    assert annee_scolaire(date(2025, 7, 31)) == 2024 and annee_scolaire(date(2025, 8, 1)) == 2025
