"""A real headless Chromium (Debian package `chromium`, installed by `make test`): the DOM a page
leaves once its scripts ran, and screenshots kept as test artefacts under var/artefacts/."""
from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parents[2] / "var" / "artefacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--virtual-time-budget=15000"]


class Dom(HTMLParser):
    """The dumped DOM: text by element id, data-* of the chart bars, rows of the tables."""

    def __init__(self, html: str):
        super().__init__()
        self.text: dict[str, str] = {}
        self.bars: dict[str, dict[str, int]] = {}
        self.rows: dict[str, list[list[str]]] = {}
        self.body: dict = {}
        self._ids: list[str | None] = []
        self._tbody: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "body":
            self.body = a
        if tag == "g" and "data-cle" in a:
            self.bars.setdefault(a["data-cle"], {})[a["data-label"]] = int(a["data-n"])
        if tag == "tbody":
            self._tbody = a.get("id")
            self.rows[self._tbody] = []
        if tag == "tr" and self._tbody:
            self.rows[self._tbody].append([])
        if tag in ("b", "span", "p", "td"):
            self._ids.append(a.get("id") or (tag if tag == "td" else None))

    def handle_endtag(self, tag):
        if tag in ("b", "span", "p", "td") and self._ids:
            self._ids.pop()
        if tag == "tbody":
            self._tbody = None

    def handle_data(self, data):
        if self._ids and self._ids[-1] == "td" and self._tbody:
            self.rows[self._tbody][-1].append(data)
        elif self._ids and self._ids[-1]:
            self.text[self._ids[-1]] = self.text.get(self._ids[-1], "") + data


def dump_dom(url: str, tmp_path) -> Dom:
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: install the Debian package (make test does: "
                    "apt-get update -qq && apt-get install -y -qq chromium)")
    out = subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'chromium'}", "--dump-dom", url],
        capture_output=True, text=True, timeout=90)
    assert out.returncode == 0, out.stderr[-2000:]
    return Dom(out.stdout)


def screenshot(url: str, tmp_path, name: str, size: str = "1400,2200") -> Path:
    """A PNG of the page, kept in var/artefacts/ (what a person would see)."""
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTEFACTS / name
    out = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'chromium-shot'}",
                          f"--window-size={size}", f"--screenshot={path}", url],
                         capture_output=True, text=True, timeout=90)
    assert out.returncode == 0 and path.exists(), out.stderr[-2000:]
    return path
