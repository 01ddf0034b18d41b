"""AMBITION_ENV=production refuses development secrets, keys and tokens, and names each one;
development (the default) needs no setup."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ambition.config import ROOT, Settings
from ambition.contracts.partners import PartnerError, add_partner, demo_partners
from ambition.production import SecretDeDeveloppement, exiger, problemes

PROD = {"AMBITION_ENV": "production", "AMBITION_PSEUDONYM_SECRET": "a-real-secret-from-the-vault",
        "AMBITION_CIPHER_KEY": "cHJvZHVjdGlvbi1rZXktb2YtMzItYnl0ZXMtbG9uZyE=",
        "AMBITION_API_TOKENS": json.dumps({"psad:national": "a-real-token"}),
        "AMBITION_IDENTITY_PRIVATE_KEYS": "cHJvZHVjdGlvbi14MjU1MTkta2V5LW9mLTMyYnl0ZXM="}


@pytest.fixture
def prod(monkeypatch, tmp_path):
    monkeypatch.delenv("AMBITION_API_TOKENS_FILE", raising=False)
    for k, v in {**PROD, "AMBITION_VAR_DIR": str(tmp_path / "var")}.items():
        monkeypatch.setenv(k, v)
    return monkeypatch


def test_development_is_the_default_and_checks_nothing(monkeypatch, tmp_path):
    monkeypatch.delenv("AMBITION_ENV", raising=False)
    settings = Settings(var_dir=tmp_path)
    assert not settings.production
    exiger(settings)  # nothing raised with every development value


def test_production_with_real_values_starts(prod):
    assert problemes(Settings()) == []
    exiger(Settings())


@pytest.mark.parametrize("variable,message", [
    ("AMBITION_PSEUDONYM_SECRET", "development secret"),
    ("AMBITION_CIPHER_KEY", "development key of the identity store"),
    ("AMBITION_API_TOKENS", "demo tokens file would be used"),
    ("AMBITION_IDENTITY_PRIVATE_KEYS", "published test key"),
])
def test_production_refuses_each_development_value_and_says_which(prod, variable, message):
    prod.delenv(variable)
    with pytest.raises(SecretDeDeveloppement) as exc:
        exiger(Settings())
    assert message in str(exc.value) and variable in str(exc.value)


def test_production_refuses_a_demo_token_and_a_partner_with_a_demo_key(prod, tmp_path):
    prod.setenv("AMBITION_ENV", "development")
    dev = Settings()
    demo_partners(dev)  # development: demo keys under var/keys, partners registered with them
    from ambition.api.jetons import demo_tokens
    token = demo_tokens(dev)["psad:national"]
    prod.setenv("AMBITION_ENV", "production")
    prod.setenv("AMBITION_API_TOKENS", json.dumps({"psad:national": token}))
    found = problemes(Settings())
    assert "AMBITION_API_TOKENS gives a demo token to psad:national" in found
    assert any("partner lycee:0753268V is registered with a demo key" in p for p in found)


def test_production_creates_no_demo_partner_and_no_demo_token(prod):
    settings = Settings()
    with pytest.raises(PartnerError, match="development only"):
        demo_partners(settings)
    from ambition.api.jetons import demo_tokens
    with pytest.raises(ValueError, match="development only"):
        demo_tokens(settings)
    add_partner(settings, "LYCEE", "0753268V")  # a real partner is registered as usual
    assert problemes(settings) == []


def test_a_worker_started_in_production_with_the_defaults_exits_and_names_them(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMBITION_")}
    env.update(AMBITION_ENV="production", AMBITION_VAR_DIR=str(tmp_path))
    done = subprocess.run([sys.executable, "-m", "ambition.cli", "api"], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    for variable in ("AMBITION_PSEUDONYM_SECRET", "AMBITION_CIPHER_KEY", "AMBITION_API_TOKENS",
                     "AMBITION_IDENTITY_PRIVATE_KEYS"):
        assert variable in done.stderr
    assert not (tmp_path / "api-tokens.json").exists()


def test_an_unknown_env_is_an_error(monkeypatch):
    monkeypatch.setenv("AMBITION_ENV", "prod")
    with pytest.raises(ValueError, match="development, production"):
        exiger(Settings())
