"""Avro single-object encoding (Avro spec, "Single object encoding") over the schemas/ directory.

A message is ``C3 01`` + the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema's
Parsing Canonical Form + the Avro binary body. The fingerprint identifies the writer schema, so
no registry server is needed; the reader resolves writer -> reader schema (Avro resolution).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import Any

from fastavro import parse_schema, schemaless_reader, schemaless_writer
from fastavro.schema import fingerprint, to_parsing_canonical_form
from fastavro.validation import validate

MAGIC = b"\xc3\x01"
HEADER_SIZE = len(MAGIC) + 8
_FILE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)\.v(?P<version>[0-9]+)\.avsc$")


class CodecError(ValueError):
    """Base of the codec's errors; ``code`` is the machine-readable reason."""

    code = "DECODAGE_IMPOSSIBLE"


class MessageTronque(CodecError):
    code = "MESSAGE_TRONQUE"


class MagiqueInvalide(CodecError):
    code = "MAGIQUE_INVALIDE"


class SchemaInconnu(CodecError):
    code = "SCHEMA_INCONNU"


class DecodageImpossible(CodecError):
    code = "DECODAGE_IMPOSSIBLE"


class EncodageImpossible(CodecError):
    """The record does not match its schema (raised before anything is sent)."""

    code = "ENCODAGE_IMPOSSIBLE"


def crc64_fingerprint(schema: dict | str) -> bytes:
    """The 8 bytes, little-endian, of the CRC-64-AVRO fingerprint of the schema's canonical form."""
    return bytes.fromhex(fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO"))


@dataclass(frozen=True)
class SchemaVersion:
    fullname: str
    version: int
    path: Path
    raw: dict  # the .avsc JSON as written
    parsed: dict = field(repr=False)  # fastavro-parsed, its own named types
    fingerprint: bytes = field(repr=False)
    read_parsed: dict = field(repr=False, default=None)  # same, uuid fields read as plain strings


@dataclass(frozen=True)
class Decoded:
    fullname: str
    version: int  # writer schema version (what the emitter wrote)
    record: dict  # resolved to the reader schema
    reader_version: int | None = None


def _uuid_as_string(schema: Any) -> Any:
    """The schema with ``{"type": "string", "logicalType": "uuid"}`` as plain "string": same canonical
    form and fingerprint; decoded uuids stay str, and a malformed one reaches the envelope check
    (ENVELOPPE_INVALIDE) instead of failing the whole decoding."""
    if isinstance(schema, dict):
        if schema.get("type") == "string" and schema.get("logicalType") == "uuid":
            return "string"
        return {k: _uuid_as_string(v) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_uuid_as_string(v) for v in schema]
    return schema


class Registry:
    """Every released schema version, by full name and by fingerprint."""

    def __init__(self, versions: list[SchemaVersion] = ()):
        self._by_fp: dict[bytes, SchemaVersion] = {}
        self._by_name: dict[str, dict[int, SchemaVersion]] = {}
        for sv in versions:
            self.add(sv)

    @classmethod
    def load(cls, schemas_dir: Path | str) -> "Registry":
        paths = sorted(Path(schemas_dir).rglob("*.avsc"))
        if not paths:
            raise FileNotFoundError(f"no .avsc file under {schemas_dir}")
        return cls([load_schema_file(p) for p in paths])

    def add(self, sv: SchemaVersion) -> None:
        if sv.version in self._by_name.get(sv.fullname, {}):
            raise ValueError(f"{sv.fullname} v{sv.version} defined twice ({sv.path})")
        other = self._by_fp.get(sv.fingerprint)
        if other is not None:
            raise ValueError(f"{sv.path} has the same canonical form as {other.path}")
        self._by_fp[sv.fingerprint] = sv
        self._by_name.setdefault(sv.fullname, {})[sv.version] = sv

    def fullnames(self) -> list[str]:
        return sorted(self._by_name)

    def versions(self, fullname: str) -> list[int]:
        return sorted(self._by_name.get(fullname, {}))

    def schema(self, fullname: str, version: int | None = None) -> SchemaVersion:
        try:
            by_version = self._by_name[fullname]
        except KeyError:
            raise SchemaInconnu(f"no schema named {fullname}") from None
        v = max(by_version) if version is None else version
        if v not in by_version:
            raise SchemaInconnu(f"{fullname} has no version {v} (known: {sorted(by_version)})")
        return by_version[v]

    def by_fingerprint(self, fp: bytes) -> SchemaVersion | None:
        return self._by_fp.get(fp)

    def encode(self, fullname: str, record: dict, version: int | None = None) -> bytes:
        sv = self.schema(fullname, version)
        try:
            # checked quietly first: with raise_errors, fastavro builds (and JSON-dumps) an error
            # for every union branch a value does not take; the errors are read only when the
            # record does not match
            if not validate(record, sv.parsed, raise_errors=False):
                validate(record, sv.parsed, raise_errors=True)
            out = BytesIO()
            out.write(MAGIC)
            out.write(sv.fingerprint)
            schemaless_writer(out, sv.parsed, record)
        except Exception as exc:  # fastavro raises ValidationError, TypeError, ValueError...
            raise EncodageImpossible(f"record does not match {fullname} v{sv.version}: {exc}") from exc
        return out.getvalue()

    def writer_of(self, data: bytes) -> SchemaVersion:
        """The writer schema named by the message's header (framing checks only)."""
        if data is None or len(data) < HEADER_SIZE:
            raise MessageTronque(
                f"message of {0 if data is None else len(data)} bytes: at least {HEADER_SIZE} expected "
                "(2 magic bytes C3 01 + 8-byte schema fingerprint + body)")
        if data[:2] != MAGIC:
            raise MagiqueInvalide(f"magic bytes {data[:2].hex()} instead of c301: not Avro single-object encoding")
        sv = self._by_fp.get(bytes(data[2:HEADER_SIZE]))
        if sv is None:
            raise SchemaInconnu(f"unknown writer schema fingerprint {bytes(data[2:HEADER_SIZE]).hex()}")
        return sv

    def decode(self, data: bytes, reader: int | SchemaVersion | None = None) -> Decoded:
        """Decode a message, resolving the writer schema to ``reader``: a version of the same full name,
        a SchemaVersion, or by default the latest version of the same full name."""
        writer = self.writer_of(data)
        if reader is None or isinstance(reader, int):
            reader = self.schema(writer.fullname, reader)
        body = BytesIO(data[HEADER_SIZE:])
        try:
            if reader is writer:
                record = schemaless_reader(body, writer.read_parsed, None)
            else:
                record = schemaless_reader(body, writer.read_parsed, reader.read_parsed)
        except Exception as exc:  # EOFError, UnicodeDecodeError, OverflowError, SchemaResolutionError...
            raise DecodageImpossible(f"body does not decode as {writer.fullname} v{writer.version}: "
                                     f"{type(exc).__name__}") from exc
        if body.read(1):
            raise DecodageImpossible(f"trailing bytes after a {writer.fullname} v{writer.version} record")
        return Decoded(writer.fullname, writer.version, record, reader.version)


def load_schema_file(path: Path) -> SchemaVersion:
    m = _FILE.match(path.name)
    if not m:
        raise ValueError(f"{path}: schema files are named <Record>.v<N>.avsc")
    raw = json.loads(path.read_text())
    parsed = parse_schema(raw, named_schemas={})
    fullname = parsed["name"]
    if fullname.rsplit(".", 1)[-1] != m["name"]:
        raise ValueError(f"{path}: file name says {m['name']} but the record is {fullname}")
    read_parsed = parse_schema(_uuid_as_string(raw), named_schemas={})
    fp = crc64_fingerprint(parsed)
    assert crc64_fingerprint(read_parsed) == fp
    return SchemaVersion(fullname, int(m["version"]), path, raw, parsed, fp, read_parsed)
