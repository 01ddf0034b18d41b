"""The pseudonymous parcours key: what travels instead of the INE."""
from __future__ import annotations

import hashlib
import hmac


def cle_parcours(ine: str, secret: str) -> str:
    """HMAC-SHA256 of the normalised INE under the platform secret, hex, 32 characters.

    Deterministic, so every partner holding the secret derives the same key for the same
    élève; not reversible without the secret.
    """
    digest = hmac.new(secret.encode(), ine.strip().upper().encode(), hashlib.sha256).hexdigest()
    return digest[:32]
