"""`ambition import-csv lycee`: checks everything first; a file with an error sends nothing."""
from __future__ import annotations

import pytest

from ambition.cli import main
from ambition.config import Settings
from ambition.contracts.partners import demo_partners
from csv_support import csv_bytes, ligne


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("AMBITION_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("AMBITION_KAFKA_BOOTSTRAP", "127.0.0.1:9")  # nothing listens: nothing may be sent
    demo_partners(Settings())
    return tmp_path / "var"


def run(tmp_path, data: bytes, *args: str) -> int:
    path = tmp_path / "export.csv"
    path.write_bytes(data)
    return main(["import-csv", "lycee", str(path), "--uai", "0753268V", *args])


def test_a_file_with_an_error_sends_nothing(var, tmp_path, capsys):
    code = run(tmp_path, csv_bytes([ligne(), ligne("1123456789B", boursier="peut-être")]))
    out, err = capsys.readouterr()
    assert code == 1 and "1 valid, 1 in error" in out
    assert "line 3, column boursier: 'peut-être' is not a yes/no value" in err and "nothing sent" in err
    assert not (var / "outbox").exists()  # not even written to the outbox


def test_dry_run_checks_and_sends_nothing(var, tmp_path, capsys):
    assert run(tmp_path, csv_bytes([ligne(), ligne("1123456789B")], sep=","), "--dry-run") == 0
    assert "2 enrolment(s) would be sent" in capsys.readouterr().out
    assert not (var / "outbox").exists()


def test_valid_lines_only_on_request(var, tmp_path, capsys):
    data = csv_bytes([ligne(), ligne("1123456789B", session="vingt")])
    assert run(tmp_path, data, "--lignes-valides", "--dry-run") == 1
    assert "1 enrolment(s) would be sent" in capsys.readouterr().out


def test_a_missing_key_or_a_bad_header_is_an_unusable_input(var, tmp_path, capsys):
    assert run(tmp_path, csv_bytes([ligne()]), "--key-file", str(tmp_path / "none.key")) == 2
    assert "--key-file" in capsys.readouterr().err
    assert run(tmp_path, b"ine;nom\n0123456789A;X\n") == 2
    assert "missing column(s)" in capsys.readouterr().err


def test_the_help_documents_the_columns(capsys):
    with pytest.raises(SystemExit):
        main(["import-csv", "lycee", "--help"])
    out = capsys.readouterr().out
    assert "consentement_representant_legal" in out and "NOTHING is sent" in out
