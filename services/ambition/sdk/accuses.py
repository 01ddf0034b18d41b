"""The platform's receipts for a partner's messages, read over the HTTP API with its token.

``GET /v1/partenaires/moi/accuses?depuis=<position>`` answers the partner's receipts after that
position, oldest first; each says what became of one message (``event_id``): ``accepte``,
``doublon``, ``parque`` (waiting for its parcours; a later receipt gives the final verdict) or
``refuse`` with its ``code`` and ``message``. See docs/integration.md.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

import httpx

#: longest pause asked by a Retry-After (429, 503) that the SDK honours before asking again
ATTENTE_MAX = 60.0
#: the API's statuses that say "ask again later": past the rate limit, a store restarting
A_REDEMANDER = (429, 503)


def obtenir(http: httpx.Client, url: str, *, dormir: Callable[[float], None] = time.sleep,
            **kwargs) -> httpx.Response:
    """GET ``url``; past the API's rate limit (429) or while one of its stores restarts (503),
    wait what ``Retry-After`` says, then ask again. Any other error status raises."""
    while True:
        r = http.get(url, **kwargs)
        if r.status_code not in A_REDEMANDER:
            r.raise_for_status()
            return r
        try:
            pause = float(r.headers.get("retry-after", "1"))
        except ValueError:
            pause = 1.0
        dormir(min(max(pause, 0.0), ATTENTE_MAX))


class Accuses:
    def __init__(self, api_url: str, token: str, *, timeout: float = 10.0, client: httpx.Client | None = None):
        if not token:
            raise ValueError("reading receipts needs the partner's API token (api_token=, or "
                             "AMBITION_PARTNER_TOKEN)")
        self.http = client or httpx.Client(base_url=api_url.rstrip("/"), timeout=timeout)
        self._auth = {"Authorization": f"Bearer {token}"}

    def lire(self, depuis: int = 0, limite: int = 500) -> list[dict]:
        """The receipts after position ``depuis`` (at most ``limite``)."""
        r = obtenir(self.http, "/v1/partenaires/moi/accuses",
                    params={"depuis": depuis, "limite": limite}, headers=self._auth)
        return r.json()["accuses"]

    def tous(self, depuis: int = 0) -> Iterator[dict]:
        """Every receipt after ``depuis``, page after page, until there is none left."""
        while True:
            page = self.lire(depuis)
            if not page:
                return
            yield from page
            depuis = page[-1]["position"]

    def close(self) -> None:
        self.http.close()
