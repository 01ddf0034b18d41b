"""The ops files name only metrics the platform really exports, and declare every topic."""
from __future__ import annotations

import json
import re

from prometheus_client import REGISTRY

import ambition.metrics  # noqa: F401  (registers every metric)
from ambition.config import ROOT, load_topics

METRIC = re.compile(r"\bambition_[a-z_]+")
SUFFIXES = ("_bucket", "_sum", "_count", "_total", "_created")


def exported_names() -> set[str]:
    names = set()
    for family in REGISTRY.collect():
        names.add(family.name)
        names.update(s.name for s in family.samples)
    return names


def referenced(text: str) -> set[str]:
    return set(METRIC.findall(text))


def test_alert_rules_and_dashboard_use_existing_metrics():
    exported = exported_names()
    text = (ROOT / "infra/prometheus/alerts.yml").read_text()
    text += json.dumps(json.loads((ROOT / "infra/grafana/ambition.json").read_text()))
    names = referenced(text)
    assert names, "no metric referenced at all"
    missing = {n for n in names if n not in exported
               and not any(n.endswith(s) and n[: -len(s)] in exported for s in SUFFIXES)}
    assert not missing, f"infra/ names metrics the platform does not export: {missing}"


def test_topics_are_declared_once_with_distinct_names():
    topics = load_topics()
    assert len(set(topics.all())) == 5
    assert topics.partitions >= 1
    assert set(topics.partenaires) == {"LYCEE", "MISSION_LOCALE", "FOQUALE"}


def _dashboard_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("dashboard", ROOT / "infra/grafana/dashboard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_grafana_dashboard_file_is_the_one_its_code_generates():
    module = _dashboard_module()
    assert (ROOT / "infra/grafana/ambition.json").read_text() == module.render(), (
        "infra/grafana/ambition.json differs from infra/grafana/dashboard.py: run `make dashboard`")


def test_every_dashboard_panel_queries_metrics_the_platform_exports():
    module = _dashboard_module()
    exported = exported_names()
    queries = module.queries(module.build())
    assert len(queries) >= 14
    for title, expr in queries:
        names = referenced(expr)
        assert names or "up{" in expr, f"{title}: queries no platform metric"
        unknown = {n for n in names if n not in exported
                   and not any(n.endswith(x) and n[: -len(x)] in exported for x in SUFFIXES)}
        assert not unknown, f"{title}: {expr} names {unknown}, not exported (see ambition/metrics.py)"
