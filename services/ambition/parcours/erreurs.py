"""The domain's one exception: a refusal, with its reason code (DOMAIN.md) and the facts."""
from __future__ import annotations


class Refus(Exception):
    """A partner fact breaks a rule. ``code`` is machine-readable, ``message`` names the facts."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = f"{code}: {message}"


#: Reason codes beyond DOMAIN.md's table: malformed facts and bad identifiers.
FAIT_INVALIDE = "FAIT_INVALIDE"
IDENTIFIANT_INVALIDE = "IDENTIFIANT_INVALIDE"


class Doublon(Exception):
    """The same partner event (same id, same content) was already recorded: no effect."""
