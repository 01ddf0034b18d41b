"""Every AMBITION_* variable is read through Settings, and the README's table lists each one."""
from __future__ import annotations

import os
import re

from ambition.config import ROOT, Settings

VARIABLE = re.compile(r"AMBITION_[A-Z0-9_]+")


class Recording(dict):
    """os.environ stand-in that notes every name read."""

    def __init__(self, base):
        super().__init__(base)
        self.read: set[str] = set()

    def get(self, key, default=None):
        self.read.add(key)
        return super().get(key, default)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)


def read_by_settings(monkeypatch) -> set[str]:
    env = Recording(os.environ)
    monkeypatch.setattr(os, "environ", env)
    s = Settings()
    for name in dir(s):  # properties read too (files, topics)
        if not name.startswith("_"):
            getattr(s, name)
    return {n for n in env.read if n.startswith("AMBITION_")}


def documented() -> set[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `AMBITION_")]
    return {v for line in rows for v in VARIABLE.findall(line.split("|")[1])}


def test_every_variable_settings_reads_is_in_the_readme_table(monkeypatch):
    read = read_by_settings(monkeypatch)
    assert len(read) >= 25, read  # the recorder does see Settings' reads
    missing = read - documented()
    assert not missing, f"README's Configuration table lacks {sorted(missing)}"


def test_the_readme_lists_no_variable_the_code_does_not_read(monkeypatch):
    extra = documented() - read_by_settings(monkeypatch)
    assert not extra, f"README documents variables nothing reads: {sorted(extra)}"


def test_no_module_reads_an_ambition_variable_outside_settings():
    offenders = []
    for folder in ("services", "projections"):
        for path in (ROOT / folder).rglob("*.py"):
            if path.name == "config.py" and path.parent.name == "ambition":
                continue
            for n, line in enumerate(path.read_text().splitlines(), 1):
                if re.search(r"(environ|getenv)", line) and VARIABLE.search(line):
                    offenders.append(f"{path.relative_to(ROOT)}:{n}: {line.strip()}")
    assert not offenders, "read these through Settings:\n" + "\n".join(offenders)
