"""Production mode: ``AMBITION_ENV=production`` refuses to start with a development secret.

The development values are published in this repository (or created on first run for the
demo), so anyone holding the repository could decrypt the identity store or read the views of
a platform started with them. In production every process checks, before it opens anything:

- the pseudonym secret and the identity store's master key are not the published defaults;
- the platform's identity private key (sealing) is not the published test key;
- the API tokens come from ``AMBITION_API_TOKENS`` (the demo tokens file is never created), and
  none of them is a demo token;
- no registered partner signs with a demo key (a key file under ``<var>/keys``).

The default, ``development``, keeps ``make run`` free of any setup.
"""
from __future__ import annotations

import base64
import hashlib
import json

from ambition.config import DEV_CIPHER_KEY, DEV_PSEUDONYM_SECRET, Settings


class SecretDeDeveloppement(SystemExit):
    """Raised at start-up in production; the message names every development value found."""


def problemes(settings: Settings) -> list[str]:
    """What would be refused in production (empty: nothing)."""
    found = []
    if settings.pseudonym_secret == DEV_PSEUDONYM_SECRET:
        found.append("AMBITION_PSEUDONYM_SECRET is the development secret")
    if settings.cipher_key == DEV_CIPHER_KEY:
        found.append("AMBITION_CIPHER_KEY is the development key of the identity store")
    found += _cles_plateforme(settings)
    found += _jetons(settings)
    found += _partenaires(settings)
    return found


def _cles_plateforme(settings: Settings) -> list[str]:
    from ambition.identite.scellement import CLE_DE_TEST

    cles = [c.strip() for c in settings.identity_private_keys.split(",") if c.strip()]
    if not cles:
        return ["AMBITION_IDENTITY_PRIVATE_KEYS is empty: partners' sealed identities could not be read"]
    if CLE_DE_TEST in cles:
        return ["AMBITION_IDENTITY_PRIVATE_KEYS holds the published test key"]
    return []


def _jetons(settings: Settings) -> list[str]:
    from ambition.api.jetons import fichier

    raw = settings.api_tokens
    if not raw:
        return ["AMBITION_API_TOKENS is empty: the demo tokens file would be used"]
    demo = fichier(settings)
    if not demo.exists():
        return []
    try:
        demo_digests = {_digest(t) for t in json.loads(demo.read_text()).values()}
        configures = json.loads(raw)
    except ValueError:
        return []
    return [f"AMBITION_API_TOKENS gives a demo token to {a}" for a, t in sorted(configures.items())
            if isinstance(t, str) and _digest(t) in demo_digests]


def _digest(token: str) -> str:
    return token[7:].lower() if token.startswith("sha256:") else hashlib.sha256(token.encode()).hexdigest()


def _partenaires(settings: Settings) -> list[str]:
    from ambition.contracts import signing
    from ambition.contracts.partners import PartnerDirectory

    keys_dir = settings.var_dir / "keys"
    demo_publiques = set()
    for key_file in sorted(keys_dir.glob("*.key")) if keys_dir.is_dir() else ():
        try:
            demo_publiques.add(signing.public_key_of(key_file.read_text().strip()))
        except (ValueError, base64.binascii.Error):
            continue
    return [f"partner {p.id} is registered with a demo key ({keys_dir})"
            for p in PartnerDirectory.load(settings) if p.public_key in demo_publiques]


def exiger(settings: Settings | None = None) -> None:
    """In production, refuse to start (SystemExit, non-zero) when a development value is
    configured; in development, do nothing."""
    settings = settings or Settings()
    if not settings.production:
        return
    found = problemes(settings)
    if found:
        raise SecretDeDeveloppement(
            "AMBITION_ENV=production refuses to start with development values:\n"
            + "".join(f"  - {p}\n" for p in found)
            + "Set each of them (README, Configuration), or run with AMBITION_ENV=development.")
