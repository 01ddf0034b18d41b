"""The alert rules, checked and unit-tested by Prometheus's own promtool (Debian package
`prometheus`, installed by `make test`): every alert fires where it must and stays silent where
it must not (infra/prometheus/alerts_test.yml)."""
from __future__ import annotations

import shutil
import subprocess

import pytest
import yaml

from ambition.config import ROOT

PROM = ROOT / "infra" / "prometheus"


def promtool() -> str:
    path = shutil.which("promtool")
    if not path:
        pytest.fail("promtool is missing: `make prometheus` installs Debian's prometheus package")
    return path


def test_promtool_accepts_the_rules_and_the_scrape_config():
    for args in (["check", "rules", "alerts.yml"], ["check", "config", "prometheus.yml"]):
        out = subprocess.run([promtool(), *args], cwd=PROM, capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr


def test_every_alert_fires_and_stays_silent_under_promtool():
    out = subprocess.run([promtool(), "test", "rules", "alerts_test.yml"], cwd=PROM,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "SUCCESS" in out.stdout + out.stderr


def test_every_alert_has_a_firing_case_and_a_silent_case():
    alerts = {r["alert"] for g in yaml.safe_load((PROM / "alerts.yml").read_text())["groups"]
              for r in g["rules"] if "alert" in r}
    fires, silent = set(), set()
    for case in yaml.safe_load((PROM / "alerts_test.yml").read_text())["tests"]:
        for check in case.get("alert_rule_test", []):
            (fires if check.get("exp_alerts") else silent).add(check["alertname"])
    assert len(alerts) >= 8
    assert not alerts - fires, f"no case where these fire: {sorted(alerts - fires)}"
    assert not alerts - silent, f"no case where these stay silent: {sorted(alerts - silent)}"
