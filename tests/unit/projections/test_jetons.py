"""API tokens: one per actor, from AMBITION_API_TOKENS or the demo tokens file."""
from __future__ import annotations

import hashlib
import json

from ambition.api.acces import Acteur, lisible_jusqu_a, territoire_psad
from ambition.api.jetons import Jetons, demo_tokens
from ambition.config import Settings


def test_a_token_names_its_actor_and_may_be_given_as_a_digest():
    j = Jetons({"lycee:0753268V": "secret-1",
                "psad:national": "sha256:" + hashlib.sha256(b"secret-2").hexdigest()})
    assert j.acteur("secret-1") == "lycee:0753268V"
    assert j.acteur("secret-2") == "psad:national"
    assert j.acteur("sha256:" + hashlib.sha256(b"secret-2").hexdigest()) is None
    assert j.acteur("nope") is None and j.acteur(None) is None


def test_a_digest_in_upper_case_matches_and_a_malformed_one_is_refused():
    digest = hashlib.sha256(b"secret-3").hexdigest().upper()
    assert Jetons({"ml:13002526500013": "sha256:" + digest}).acteur("secret-3") == "ml:13002526500013"
    import pytest
    with pytest.raises(ValueError, match="64 hex"):
        Jetons({"ml:13002526500013": "sha256:abc"})


def test_two_actors_given_the_same_token_are_refused_at_load():
    import pytest
    with pytest.raises(ValueError, match="same API token"):
        Jetons({"lycee:0753268V": "shared", "psad:national": "shared"})
    with pytest.raises(ValueError, match="same API token"):
        Jetons({"lycee:0753268V": "shared",
                "psad:national": "sha256:" + hashlib.sha256(b"shared").hexdigest()})


def test_demo_tokens_are_created_once_for_every_demo_partner_and_the_psad(tmp_path, monkeypatch):
    monkeypatch.delenv("AMBITION_API_TOKENS_FILE", raising=False)
    settings = Settings(var_dir=tmp_path)
    first = demo_tokens(settings)
    assert first == demo_tokens(settings) == json.loads((tmp_path / "api-tokens.json").read_text())
    assert {"lycee:0753268V", "ml:13002526500013", "foquale:ac-paris", "psad:national",
            "psad:ac-paris"} <= set(first)
    assert len(set(first.values())) == len(first)
    assert (tmp_path / "api-tokens.json").stat().st_mode & 0o077 == 0


def test_tokens_from_the_environment_win(tmp_path, monkeypatch):
    monkeypatch.setenv("AMBITION_API_TOKENS", '{"ml:13002526500013": "t-ml"}')
    assert Jetons.load(Settings(var_dir=tmp_path)).acteur("t-ml") == "ml:13002526500013"
    assert not (tmp_path / "api-tokens.json").exists()


def test_a_territorial_psad_reads_its_territory_only():
    import pytest
    from fastapi import HTTPException

    assert territoire_psad(Acteur("psad:ac-paris"), None) == "ac-paris"
    assert territoire_psad(Acteur("psad:national"), None) is None
    assert territoire_psad(Acteur("psad:national"), "ac-lyon") == "ac-lyon"
    for a, t in ((Acteur("psad:ac-paris"), "ac-lyon"), (Acteur("lycee:0753268V"), None)):
        with pytest.raises(HTTPException) as exc:
            territoire_psad(a, t)
        assert exc.value.status_code == 403


def test_the_actors_of_a_parcours():
    acteurs = {"uai": "0753268V", "mission_locale": "44000000000008", "territoire": "ac-paris",
               "foquale": ["foquale:ac-paris"],
               "missions_locales": {"12345678901237": 7, "44000000000008": None}}
    readers = ["lycee:0753268V", "foquale:ac-paris", "psad:ac-paris", "psad:national",
               "ml:44000000000008"]
    others = ["lycee:0690026D", "ml:13002526500013", "foquale:ac-lyon", "psad:ac-lyon"]
    assert all(lisible_jusqu_a(Acteur(a), acteurs) == (True, None) for a in readers)
    assert not any(lisible_jusqu_a(Acteur(a), acteurs)[0] for a in others)
    # the mission locale the young person moved away from: up to the move (version 7)
    assert lisible_jusqu_a(Acteur("ml:12345678901237"), acteurs) == (True, 7)


def test_ambition_up_prints_the_demo_tokens_and_the_dashboards_address(tmp_path, monkeypatch):
    from ambition.api.jetons import annonce

    monkeypatch.delenv("AMBITION_API_TOKENS", raising=False)
    monkeypatch.delenv("AMBITION_API_TOKENS_FILE", raising=False)
    settings = Settings(var_dir=tmp_path)
    text = annonce(settings, "http://127.0.0.1:8080")
    tokens = demo_tokens(settings)
    assert f"/psad/tableau-de-bord#token={tokens['psad:national']}" in text
    assert all(f"{actor:<24} {token}" in text for actor, token in tokens.items())
    monkeypatch.setenv("AMBITION_API_TOKENS", '{"psad:national": "x"}')
    assert "from AMBITION_API_TOKENS" in annonce(Settings(var_dir=tmp_path), "http://127.0.0.1:8080")
