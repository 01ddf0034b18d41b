"""The API while its PostgreSQL is down, then back: 503 with Retry-After (which clients wait
out), never a 500, and the same routes answer again once the database is back."""
from __future__ import annotations

import pytest
from aide_vues import UAI_PARIS
from fastapi.testclient import TestClient

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.config import Settings

from attente import jusqua
from pgcluster import pg_prive  # noqa: F401

pytestmark = pytest.mark.integration

PARIS = {"Authorization": "Bearer t-paris"}


def test_a_database_away_is_a_503_with_retry_after_then_the_api_answers_again(pg_prive, tmp_path):
    dsn = pg_prive.nouvelle_base()
    settings = Settings(var_dir=tmp_path / "var", read_store=dsn, event_store=dsn)
    api = TestClient(create_app(settings, Jetons({f"lycee:{UAI_PARIS}": "t-paris"})),
                     raise_server_exceptions=False)
    routes = (f"/v1/lycees/{UAI_PARIS}/eleves", "/health")
    assert [api.get(r, headers=PARIS).status_code for r in routes] == [200, 200]
    pg_prive.stop()
    absents = [api.get(r, headers=PARIS) for r in routes]
    assert [r.status_code for r in absents] == [503, 503]
    assert all(r.headers["retry-after"] == "2" for r in absents)
    pg_prive.start()
    jusqua(lambda: [api.get(r, headers=PARIS).status_code for r in routes] == [200, 200],
           "the API to answer again once PostgreSQL is back")


def test_the_sdk_waits_out_the_503_and_reads_once_the_database_is_back(pg_prive, tmp_path):
    import time

    from ambition.sdk.accuses import obtenir

    dsn = pg_prive.nouvelle_base()
    settings = Settings(var_dir=tmp_path / "var", read_store=dsn, event_store=dsn)
    api = TestClient(create_app(settings, Jetons({f"lycee:{UAI_PARIS}": "t-paris"})),
                     raise_server_exceptions=False)
    pg_prive.stop()
    pauses = []

    def dormir(secondes: float) -> None:  # the database comes back while the SDK waits
        if not pauses:
            pg_prive.start()
        pauses.append(secondes)
        time.sleep(secondes)

    r = obtenir(api, f"/v1/lycees/{UAI_PARIS}/eleves", dormir=dormir, headers=PARIS)
    assert r.status_code == 200 and r.json()["total"] == 0
    assert pauses and set(pauses) == {2.0}
