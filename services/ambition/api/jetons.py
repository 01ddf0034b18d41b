"""Who is asking: one bearer token per actor, from configuration.

``AMBITION_API_TOKENS``: JSON object ``{actor: token}``; when empty, the file
``AMBITION_API_TOKENS_FILE`` (default ``var/api-tokens.json``, same shape), created on first use
with random tokens for the demo partners and two PSAD coordinators (DEVELOPMENT ONLY, like the
demo partners' keys). A token may be written ``sha256:<hex digest>`` so that the configuration
holds no usable secret.

Actors: ``lycee:<UAI>``, ``ml:<SIRET>``, ``foquale:<code>`` (the partners' ids) and
``psad:<territoire>`` (a coordinator of one territory, see `ambition_projections.territoires`)
or ``psad:national`` (every territory).
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from pathlib import Path

from ambition.config import Settings
from ambition.contracts.identifiants import partner_id
from ambition.contracts.partners import DEMO
from ambition.fichiers import ecrire_secret

PSAD_DEMO = ("psad:national", "psad:ac-paris", "dpo:national")  # coordinators, data protection officer


_HEX = re.compile(r"[0-9a-f]{64}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def fichier(settings: Settings) -> Path:
    return settings.api_tokens_file


def demo_tokens(settings: Settings) -> dict[str, str]:
    """The demo actors' tokens (created once, kept in the tokens file). DEVELOPMENT ONLY:
    refused in production (tokens then come from AMBITION_API_TOKENS)."""
    path = fichier(settings)
    if not path.exists():
        if settings.production:
            raise ValueError("demo API tokens are for development only: set AMBITION_API_TOKENS")
        tokens = {partner_id(t, i): secrets.token_urlsafe(24) for t, i in DEMO}
        tokens.update({actor: secrets.token_urlsafe(24) for actor in PSAD_DEMO})
        ecrire_secret(path, json.dumps(tokens, indent=2) + "\n")
    return json.loads(path.read_text())


class Jetons:
    """Token -> actor, by the token's SHA-256 digest (no clear token kept in memory)."""

    def __init__(self, tokens: dict[str, str]):
        self._actors: dict[str, str] = {}
        for actor, token in tokens.items():
            if not isinstance(token, str) or not token:
                raise ValueError(f"empty API token for {actor}")
            if token.startswith("sha256:"):
                digest = token[7:].lower()
                if not _HEX.fullmatch(digest):
                    raise ValueError(f"the token of {actor} is 'sha256:' and not 64 hex digits")
            else:
                digest = _digest(token)
            if digest in self._actors:
                raise ValueError(f"{self._actors[digest]} and {actor} are given the same API token: "
                                 "one token per actor")
            self._actors[digest] = actor

    @classmethod
    def load(cls, settings: Settings) -> "Jetons":
        raw = settings.api_tokens
        return cls(json.loads(raw) if raw else demo_tokens(settings))

    def acteur(self, token: str | None) -> str | None:
        return self._actors.get(_digest(token)) if token else None


def annonce(settings: Settings, base_url: str) -> str:
    """What `ambition up` prints about the API's tokens (the demo ones, in development)."""
    if settings.api_tokens:
        return "  API tokens      from AMBITION_API_TOKENS\n"
    tokens = demo_tokens(settings)
    psad = tokens.get("psad:national", "<token>")
    return (f"  PSAD synthèse   curl -H 'Authorization: Bearer {psad}' {base_url}/v1/psad/synthese\n"
            f"  PSAD dashboard  {base_url}/psad/tableau-de-bord#token={psad}\n"
            f"  API tokens      demo, development only ({fichier(settings)}):\n"
            + "".join(f"    {actor:<24} {token}\n" for actor, token in tokens.items()))
