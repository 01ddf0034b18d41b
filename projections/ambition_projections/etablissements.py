"""Names of the lycées (by UAI) and missions locales (by SIRET) shown to the PSAD coordinator.

Read from ``AMBITION_ETABLISSEMENTS_FILE`` (TOML, ``[lycees]`` and ``[missions_locales]``
tables), by default ``infra/etablissements.toml``, the list shipped for the demo actors.
Names are public facts about institutions, not personal data.
"""
from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

from ambition.config import ROOT, Settings

DEMO = ROOT / "infra" / "etablissements.toml"


@lru_cache(maxsize=4)
def _lire(path: str, mtime: float) -> dict[str, dict[str, str]]:
    data = tomllib.loads(Path(path).read_text())
    return {"lycees": dict(data.get("lycees", {})), "missions_locales": dict(data.get("missions_locales", {}))}


def noms(settings: Settings | None = None) -> dict[str, dict[str, str]]:
    """``{"lycees": {uai: nom}, "missions_locales": {siret: nom}}``; re-read when the file changes."""
    path = Path((settings or Settings()).etablissements_file or DEMO)
    return _lire(str(path), path.stat().st_mtime)
