"""CLI hooks, run through their own argparse parser."""
from __future__ import annotations

import json
import shutil

import pytest

from ambition.config import ROOT
from ambition.contracts.commands import main


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("AMBITION_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AMBITION_PARTNERS_FILE", str(tmp_path / "var" / "partners.json"))
    return tmp_path


def test_schemas_check_passes_on_the_repository(capsys):
    assert main(["schemas", "check"]) == 0
    assert "schemas OK" in capsys.readouterr().out


def test_schemas_check_fails_on_an_incompatible_version(tmp_path, capsys):
    shutil.copytree(ROOT / "schemas", tmp_path / "schemas")
    v2 = tmp_path / "schemas" / "lycee" / "EleveInscrit.v3.avsc"
    raw = json.loads((tmp_path / "schemas" / "lycee" / "EleveInscrit.v2.avsc").read_text())
    raw["fields"] = [f for f in raw["fields"] if f["name"] != "mission_locale_pressentie"]
    raw["fields"].append({"name": "obligatoire", "type": "string", "doc": "a new field without default"})
    v2.write_text(json.dumps(raw))
    assert main(["schemas", "check", "--dir", str(tmp_path / "schemas")]) == 1
    err = capsys.readouterr().err
    assert "v3 cannot read data written with v1" in err and "obligatoire" in err


def test_partners_add_then_list(env, capsys):
    assert main(["partners", "add", "--type", "MISSION_LOCALE", "--id", "13002526500013"]) == 0
    out = capsys.readouterr().out
    assert "ml:13002526500013" in out and "private key" in out
    assert main(["partners", "add", "--type", "MISSION_LOCALE", "--id", "13002526500013"]) == 2
    assert "already registered" in capsys.readouterr().err
    assert main(["partners", "add", "--type", "LYCEE", "--id", "0753268A"]) == 2
    assert "not a valid LYCEE identifier" in capsys.readouterr().err
    assert main(["partners", "list"]) == 0
    assert "ml:13002526500013" in capsys.readouterr().out


def test_catalogue_build(tmp_path, capsys):
    assert main(["catalogue", "build", "--out", str(tmp_path)]) == 0
    assert (tmp_path / "catalogue.md").read_text() == (ROOT / "docs" / "catalogue.md").read_text()


def test_help_is_given(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["partners", "add", "--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0 and "--type" in out and "printed once" in out
