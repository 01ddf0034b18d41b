"""The event catalogue, generated from the .avsc files: names, owners, topics, versions, fields, examples.

``build`` gives a JSON-ready dict; ``markdown`` and ``html`` render it. ``docs/catalogue.md`` and
``docs/catalogue.html`` are written by ``ambition catalogue build`` and kept in sync by a test.
"""
from __future__ import annotations

import html as _html
import json
from pathlib import Path

from ambition.config import load_topics

from .codec import Registry
from .exemples import en_json, exemple

# Personal data never appears in the published catalogue, not even synthetic: the example shows
# the field's format instead of a value shaped like a real one.
PERSONAL_PLACEHOLDERS = {"ine": "<INE: 10 digits or capital letters, then a capital letter>",
                         "nom": "<family name>", "prenom": "<first name>",
                         "date_naissance": "<birth date, YYYY-MM-DD>"}


def _published(example: dict) -> dict:
    return {k: PERSONAL_PLACEHOLDERS.get(k, v) if k in PERSONAL_PLACEHOLDERS else v
            for k, v in example.items()}

OWNERS = {"ambition.lycee": "LYCEE", "ambition.missionlocale": "MISSION_LOCALE",
          "ambition.foquale": "FOQUALE", "ambition.parcours": "PLATEFORME"}


def _type(t) -> str:
    if isinstance(t, str):
        return t
    if isinstance(t, list):
        inner = [_type(x) for x in t if x != "null"]
        return " | ".join(inner) + (" (optional)" if "null" in t else "")
    kind = t["type"]
    if "logicalType" in t:
        return f"{kind}/{t['logicalType']}"
    if kind == "enum":
        return f"enum {t['name']} {{{', '.join(t['symbols'])}}}"
    if kind == "array":
        return f"array<{_type(t['items'])}>"
    if kind == "record":
        return f"record {t['name']}"
    return kind


def _fields(schema: dict, prefix: str = "") -> list[dict]:
    out = []
    for f in schema["fields"]:
        row = {"name": prefix + f["name"], "type": _type(f["type"]), "doc": f.get("doc", "")}
        if "default" in f:
            row["default"] = f["default"]
        out.append(row)
        if isinstance(f["type"], dict) and f["type"].get("type") == "record":
            out += _fields(f["type"], prefix + f["name"] + ".")
    return out


def build(schemas_dir: Path | str) -> dict:
    registry = Registry.load(schemas_dir)
    topics = load_topics()
    topic_of = {**{f"ambition.{k}": v for k, v in (("lycee", topics.lycee), ("missionlocale", topics.missionlocale),
                                                     ("foquale", topics.foquale))},
                "ambition.parcours": topics.parcours}
    events = []
    for fullname in registry.fullnames():
        namespace, _, name = fullname.rpartition(".")
        latest = registry.schema(fullname)
        events.append({
            "fullname": fullname, "name": name, "owner": OWNERS[namespace], "topic": topic_of[namespace],
            "doc": latest.raw.get("doc", ""), "versions": registry.versions(fullname),
            "latest": latest.version, "fingerprint": latest.fingerprint.hex(),
            "fields": _fields(latest.raw), "example": _published(en_json(exemple(latest.raw))),
        })
    return {"encoding": "Avro single-object encoding: C3 01, 8-byte little-endian CRC-64-AVRO "
                        "fingerprint of the writer schema, Avro binary body",
            "events": events}


def markdown(cat: dict) -> str:
    lines = ["# Event catalogue (generated from schemas/: do not edit, run `ambition catalogue build`)", "",
             cat["encoding"] + ".", "", "| event | owner | topic | versions |", "|---|---|---|---|"]
    lines += [f"| [`{e['fullname']}`](#{e['fullname'].replace('.', '').lower()}) | {e['owner']} | "
              f"`{e['topic']}` | {', '.join(f'v{v}' for v in e['versions'])} |" for e in cat["events"]]
    for e in cat["events"]:
        lines += ["", f"## {e['fullname']}", "", e["doc"], "",
                  f"Owner {e['owner']}, topic `{e['topic']}`, versions "
                  f"{', '.join(f'v{v}' for v in e['versions'])}; latest v{e['latest']} fingerprint "
                  f"`{e['fingerprint']}`.", "", "| field | type | meaning |", "|---|---|---|"]
        lines += [f"| `{f['name']}` | {f['type'].replace('|', '&#124;')} | {f['doc']} |" for f in e["fields"]]
        lines += ["", "Example:", "", "```json", json.dumps(e["example"], indent=2, ensure_ascii=False), "```"]
    return "\n".join(lines) + "\n"


def html(cat: dict) -> str:
    esc = _html.escape
    parts = ["<!doctype html><html lang=\"fr\"><head><meta charset=\"utf-8\"><title>Ambition Emploi events</title>",
             "<style>body{font-family:sans-serif;max-width:70em;margin:auto}table{border-collapse:collapse}"
             "td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}"
             "pre{background:#f4f4f4;padding:.5em}</style></head><body>",
             "<h1>Event catalogue</h1>", f"<p>{esc(cat['encoding'])}.</p>",
             "<table><tr><th>event</th><th>owner</th><th>topic</th><th>versions</th></tr>"]
    for e in cat["events"]:
        parts.append(f"<tr><td><a href=\"#{esc(e['fullname'])}\">{esc(e['fullname'])}</a></td>"
                     f"<td>{esc(e['owner'])}</td><td>{esc(e['topic'])}</td>"
                     f"<td>{', '.join(f'v{v}' for v in e['versions'])}</td></tr>")
    parts.append("</table>")
    for e in cat["events"]:
        parts += [f"<h2 id=\"{esc(e['fullname'])}\">{esc(e['fullname'])}</h2><p>{esc(e['doc'])}</p>",
                  f"<p>Owner {esc(e['owner'])}, topic <code>{esc(e['topic'])}</code>, latest "
                  f"v{e['latest']}, fingerprint <code>{e['fingerprint']}</code>.</p>",
                  "<table><tr><th>field</th><th>type</th><th>meaning</th></tr>"]
        parts += [f"<tr><td><code>{esc(f['name'])}</code></td><td>{esc(f['type'])}</td><td>{esc(f['doc'])}</td></tr>"
                  for f in e["fields"]]
        parts.append("</table><pre>" + esc(json.dumps(e["example"], indent=2, ensure_ascii=False)) + "</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def write(schemas_dir: Path | str, docs_dir: Path | str) -> list[Path]:
    cat = build(schemas_dir)
    out = [Path(docs_dir) / "catalogue.md", Path(docs_dir) / "catalogue.html"]
    out[0].write_text(markdown(cat))
    out[1].write_text(html(cat))
    return out
