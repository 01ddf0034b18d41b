"""Schema evolution: backward compatibility with every earlier version, checked by Apache avro."""
from __future__ import annotations

import json
import shutil

import pytest

from ambition.config import ROOT
from ambition.contracts.compat import check
from ambition.contracts.exemples import exemple

V1 = ROOT / "schemas" / "lycee" / "EleveInscrit.v1.avsc"


def test_the_repository_schemas_pass():
    assert check(ROOT / "schemas") == []


def test_eleve_inscrit_has_a_released_v2(registry):
    assert registry.versions("ambition.lycee.EleveInscrit")[:2] == [1, 2]


def test_a_v1_message_is_read_by_the_v2_reader_with_the_default(registry):
    v1 = registry.schema("ambition.lycee.EleveInscrit", 1)
    record = exemple(v1.raw)
    data = registry.encode(v1.fullname, record, version=1)
    decoded = registry.decode(data, reader=2)
    assert decoded.version == 1 and decoded.reader_version == 2
    assert decoded.record["mission_locale_pressentie"] is None
    assert {k: v for k, v in decoded.record.items() if k != "mission_locale_pressentie"} == record


def test_a_v2_message_read_by_the_v3_reader_keeps_no_identity(registry):
    """v3 seals the identity: a v2 record resolves to v3 without ine, names, birth date
    (the reading edge refuses it anyway, IDENTITE_EN_CLAIR)."""
    v2 = registry.schema("ambition.lycee.EleveInscrit", 2)
    decoded = registry.decode(registry.encode(v2.fullname, exemple(v2.raw), version=2))
    assert decoded.reader_version == 3 and decoded.record["identite"] in (b"", "")
    assert {"ine", "nom", "prenom", "date_naissance"}.isdisjoint(decoded.record)


def test_a_v2_message_is_read_by_a_v1_reader(registry):
    """Forward direction works here too: v1 readers ignore the new field."""
    v2 = registry.schema("ambition.lycee.EleveInscrit", 2)
    record = {**exemple(v2.raw), "mission_locale_pressentie": "13002526500013"}
    decoded = registry.decode(registry.encode(v2.fullname, record, version=2), reader=1)
    assert "mission_locale_pressentie" not in decoded.record and decoded.version == 2


def _with_v2(tmp_path, change):
    d = tmp_path / "lycee"
    d.mkdir()
    shutil.copy(V1, d / V1.name)
    raw = json.loads(V1.read_text())
    change(raw["fields"])
    (d / "EleveInscrit.v2.avsc").write_text(json.dumps(raw))
    return tmp_path


def test_adding_an_optional_field_with_default_passes(tmp_path):
    def add(fields):
        fields.append({"name": "nouveau", "type": ["null", "string"], "default": None, "doc": "x"})
    assert check(_with_v2(tmp_path, add)) == []


def test_adding_a_field_without_default_fails(tmp_path):
    def add(fields):
        fields.append({"name": "nouveau", "type": "string", "doc": "x"})
    problems = check(_with_v2(tmp_path, add))
    assert len(problems) == 1 and "v2 cannot read data written with v1" in problems[0]


def test_removing_a_field_without_default_fails_for_the_next_reader(tmp_path):
    """v2 drops ``referent``; v3 brings it back without default: v3 cannot read v2 data."""
    root = _with_v2(tmp_path, lambda fields: fields.remove(next(f for f in fields if f["name"] == "referent")))
    shutil.copy(V1, root / "lycee" / "EleveInscrit.v3.avsc")
    problems = check(root)
    assert any("v3 cannot read data written with v2" in p for p in problems)


def test_changing_a_type_fails(tmp_path):
    def change(fields):
        next(f for f in fields if f["name"] == "session_examen")["type"] = "string"
    problems = check(_with_v2(tmp_path, change))
    assert problems and "session_examen" in problems[0]


def test_transitive_every_earlier_version_is_checked(tmp_path):
    """v2 and v3 each read their predecessor, but v3 cannot read v1: caught."""
    root = _with_v2(tmp_path, lambda fields: fields.append(
        {"name": "n", "type": ["null", "int"], "default": None, "doc": "x"}))
    raw = json.loads((root / "lycee" / "EleveInscrit.v2.avsc").read_text())
    next(f for f in raw["fields"] if f["name"] == "n").update(type="int", default=0)
    v3 = json.loads(json.dumps(raw))
    next(f for f in v3["fields"] if f["name"] == "n").pop("default")
    (root / "lycee" / "EleveInscrit.v2.avsc").write_text(json.dumps(raw))
    (root / "lycee" / "EleveInscrit.v3.avsc").write_text(json.dumps(v3))
    problems = check(root)
    assert any("v3 cannot read data written with v1" in p for p in problems)


@pytest.mark.parametrize("broken,expected", [
    ("{not json", "not a valid Avro schema"),
    ('{"type": "record", "name": "Autre", "namespace": "ambition.lycee", "fields": []}', "the record is named Autre"),
])
def test_malformed_schema_files_are_reported(tmp_path, broken, expected):
    d = tmp_path / "lycee"
    d.mkdir()
    (d / "EleveInscrit.v1.avsc").write_text(broken)
    assert any(expected in p for p in check(tmp_path))


def test_undocumented_fields_are_reported(tmp_path):
    root = _with_v2(tmp_path, lambda fields: fields.append({"name": "n", "type": ["null", "int"], "default": None}))
    assert check(root) == ["lycee/EleveInscrit.v2.avsc: field n has no doc"]

