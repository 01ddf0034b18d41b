"""Schema evolution check: every version of an event is backward compatible with ALL earlier ones.

Backward (transitive): a reader using version N reads data written with any version < N. The
check itself is the Apache ``avro`` library's ReaderWriterCompatibilityChecker. Also reported:
files that do not parse, a record name that differs from the file name, a namespace that differs
from the directory, gaps in version numbers, and fields without ``doc`` (the catalogue needs it).
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import avro.schema
from avro.compatibility import ReaderWriterCompatibilityChecker, SchemaCompatibilityType

_FILE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.v(?P<version>[0-9]+)\.avsc$")


def _undocumented(schema: dict, where: str) -> list[str]:
    problems = []
    for f in schema.get("fields", []):
        if not f.get("doc"):
            problems.append(f"{where}: field {f['name']} has no doc")
        t = f["type"]
        if isinstance(t, dict) and t.get("type") == "record":
            problems += _undocumented(t, f"{where}.{f['name']}")
    return problems


def _where(pointer: str, raw: dict) -> str:
    """A JSON pointer of the checker ("/fields/8/type") as field names ("session_examen")."""
    names, node = [], raw
    for seg in [p for p in pointer.split("/") if p]:
        try:
            node = node[int(seg)] if isinstance(node, list) else node[seg]
        except (KeyError, IndexError, ValueError, TypeError):
            break
        if isinstance(node, dict) and "name" in node and isinstance(node.get("type"), (str, list, dict)) \
                and seg.isdigit():
            names.append(node["name"])
    return ".".join(names) or "the record"


def check(schemas_dir: Path | str) -> list[str]:
    """Problems found, as sentences; an empty list means every schema is fine."""
    root = Path(schemas_dir)
    problems: list[str] = []
    versions: dict[str, dict[int, avro.schema.Schema]] = {}
    raws: dict[tuple[str, int], dict] = {}
    canonical: dict[str, Path] = {}
    paths = sorted(root.rglob("*.avsc"))
    if not paths:
        return [f"no .avsc file under {root}"]
    for path in paths:
        rel = path.relative_to(root)
        m = _FILE.match(path.name)
        if not m:
            problems.append(f"{rel}: name it <Record>.v<N>.avsc")
            continue
        try:
            raw = json.loads(path.read_text())
            schema = avro.schema.parse(json.dumps(raw))
        except (ValueError, avro.errors.AvroException) as exc:
            problems.append(f"{rel}: not a valid Avro schema: {exc}")
            continue
        if schema.name != m["name"]:
            problems.append(f"{rel}: the record is named {schema.name}, the file {m['name']}")
        if schema.namespace != f"ambition.{path.parent.name}":
            problems.append(f"{rel}: namespace {schema.namespace} does not match directory {path.parent.name}/")
        problems += _undocumented(raw, str(rel))
        if schema.canonical_form in canonical:
            problems.append(f"{rel}: same canonical form as {canonical[schema.canonical_form].relative_to(root)} "
                            "(a new version must change what is parsed, not only docs)")
        canonical[schema.canonical_form] = path
        versions.setdefault(schema.fullname, {})[int(m["version"])] = schema
        raws[schema.fullname, int(m["version"])] = raw
    checker = ReaderWriterCompatibilityChecker()
    for fullname, by_version in sorted(versions.items()):
        numbers = sorted(by_version)
        if numbers != list(range(1, len(numbers) + 1)):
            problems.append(f"{fullname}: versions {numbers} should be 1..{len(numbers)} with no gap")
        for i, new in enumerate(numbers):
            for old in numbers[:i]:
                result = checker.get_compatibility(reader=by_version[new], writer=by_version[old])
                if result.compatibility is not SchemaCompatibilityType.compatible:
                    details = "; ".join(sorted(result.messages)) or "incompatible"
                    where = ", ".join(sorted({_where(loc, raws[fullname, new]) for loc in result.locations
                                              if loc != "/"})) or "the record"
                    problems.append(f"{fullname}: v{new} cannot read data written with v{old} "
                                    f"({details} at {where})")
    return problems
