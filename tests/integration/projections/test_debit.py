"""The API's rate limits: each actor its own allowance; requests without a valid token are
counted per client address; past a limit, 429 with Retry-After, and the refusal is counted."""
from __future__ import annotations

import dataclasses

import pytest
from aide_vues import UAI_LYON, UAI_PARIS
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from ambition.api.app import create_app
from ambition.api.jetons import Jetons
from ambition.config import Settings

TOKENS = {f"lycee:{UAI_PARIS}": "t-paris", f"lycee:{UAI_LYON}": "t-lyon"}
PARIS, LYON = ({"Authorization": f"Bearer {TOKENS[f'lycee:{u}']}"} for u in (UAI_PARIS, UAI_LYON))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(var_dir=tmp_path / "var", read_store="")


def client(settings: Settings, regle: str) -> TestClient:
    return TestClient(create_app(dataclasses.replace(settings, api_rate_limit=regle), Jetons(TOKENS)))


def refus_de_debit() -> float:
    return REGISTRY.get_sample_value("ambition_api_denied_total", {"reason": "rate_limited"}) or 0.0


def test_an_actor_past_its_limit_gets_429_with_retry_after_and_the_others_keep_theirs(settings):
    api = client(settings, "5/minute")
    avant = refus_de_debit()
    codes = [api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=PARIS).status_code for _ in range(6)]
    assert codes == [200] * 5 + [429]
    r = api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=PARIS)
    assert r.status_code == 429 and 1 <= int(r.headers["retry-after"]) <= 60
    assert "5 per 1 minute" in r.json()["detail"]
    assert api.get(f"/v1/lycees/{UAI_LYON}/eleves", headers=LYON).status_code == 200
    assert refus_de_debit() == avant + 2
    assert api.get("/health").status_code == 200  # the open routes are not counted


def test_guessing_tokens_is_limited_per_client_address(settings):
    api = client(settings, "3/minute")
    codes = [api.get(f"/v1/lycees/{UAI_PARIS}/eleves",
                     headers={"Authorization": f"Bearer guess-{i}"}).status_code for i in range(5)]
    assert codes == [401, 401, 401, 429, 429]


def test_an_empty_rule_sets_no_limit(settings):
    api = client(settings, "")
    assert {api.get(f"/v1/lycees/{UAI_PARIS}/eleves", headers=PARIS).status_code
            for _ in range(30)} == {200}


def test_the_sdk_waits_what_retry_after_says_and_reads_on(settings):
    from ambition.sdk.accuses import Accuses

    api = client(settings, "2/second")
    accuses = Accuses("http://testserver", TOKENS[f"lycee:{UAI_PARIS}"], client=api)
    avant = refus_de_debit()
    assert [accuses.lire() for _ in range(5)] == [[]] * 5  # no receipt yet, and no error
    assert refus_de_debit() > avant  # the limit was met on the way, and waited out
