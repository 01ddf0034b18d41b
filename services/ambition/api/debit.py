"""Request rate limits of the API: each actor (its token) has its own allowance, and requests
without a valid token are counted per client address (guessing tokens is slowed down too).

A request over the limit is answered 429 with ``Retry-After`` (whole seconds until the oldest
counted request leaves the window), counted in ``ambition_api_denied_total{reason="rate_limited"}``.
The windows are moving windows (the ``limits`` library), kept in this process's memory: one API
process, one allowance; behind several API processes each keeps its own.
"""
from __future__ import annotations

import math
import time

from fastapi import HTTPException
from limits import parse_many, storage, strategies

from ambition import metrics


class Debit:
    """``regle`` is a ``limits`` string such as ``"50/second;1500/minute"``; empty: no limit."""

    def __init__(self, regle: str) -> None:
        self.limites = parse_many(regle) if regle.strip() else []
        self._limiteur = strategies.MovingWindowRateLimiter(storage.MemoryStorage())

    def compter(self, qui: str) -> None:
        """Count one request for ``qui`` (an actor id or ``adresse:<ip>``); 429 past a limit."""
        for limite in self.limites:
            if not self._limiteur.hit(limite, qui):
                reprise = self._limiteur.get_window_stats(limite, qui).reset_time
                attente = max(1, math.ceil(reprise - time.time()))
                metrics.API_DENIED.labels("rate_limited").inc()
                raise HTTPException(
                    429, f"rate limit of {limite} exceeded: retry after {attente} s",
                    headers={"Retry-After": str(attente)})
