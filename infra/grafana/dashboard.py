"""The ops dashboard, as code: `python infra/grafana/dashboard.py` writes infra/grafana/ambition.json
(import it in Grafana, with a Prometheus data source scraping infra/prometheus/prometheus.yml).

Built with grafana-foundation-sdk; every metric queried is defined in services/ambition/metrics.py
and checked by tests/unit/test_infra.py and, against a real Prometheus, by tests/e2e/test_prometheus.py.
"""
from __future__ import annotations

import json
from pathlib import Path

from grafana_foundation_sdk.builders import dashboard, prometheus, stat, timeseries
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models.dashboard import DataSourceRef

HERE = Path(__file__).parent
DATASOURCE = DataSourceRef(type_val="prometheus", uid="${datasource}")

# (title, unit, queries {legend: PromQL}, width)
STATS = [
    ("Processes up", "none", {"up": 'sum(up{job=~"ambition-.*"})'}, 4),
    ("Decided /s", "ops", {"decided": 'sum(rate(ambition_messages_consumed_total{outcome=~"accepte|doublon|refuse"}[5m]))'}, 5),
    ("Parked facts", "none", {"parked": "max(ambition_parked_events)"}, 5),
    ("Relay lag (events)", "none", {"lag": "max(ambition_outbox_lag_events)"}, 5),
    ("Refusals unsent", "none", {"unsent": "max(ambition_rejected_unsent_events)"}, 5),
]
SERIES = [
    ("Partner messages by outcome (/s)", "ops",
     {"{{outcome}}": "sum by (outcome) (rate(ambition_messages_consumed_total[5m]))"}),
    ("Refusals by reason (/s)", "ops", {"{{reason}}": "sum by (reason) (rate(ambition_rejected_total[5m]))"}),
    ("Batch processing p50 / p99", "s",
     {"p50": "histogram_quantile(0.5, sum by (le) (rate(ambition_processing_seconds_bucket[5m])))",
      "p99": "histogram_quantile(0.99, sum by (le) (rate(ambition_processing_seconds_bucket[5m])))"}),
    ("View freshness p50 / p99 (event store to view)", "s",
     {"p50": "histogram_quantile(0.5, sum by (le) (rate(ambition_projection_freshness_seconds_bucket[5m])))",
      "p99": "histogram_quantile(0.99, sum by (le) (rate(ambition_projection_freshness_seconds_bucket[5m])))"}),
    ("Outbound relay: published (/s)", "ops", {"published": "sum(rate(ambition_outbox_published_total[5m]))"}),
    ("Projection events by view (/s)", "ops",
     {"{{projection}} {{outcome}}": "sum by (projection, outcome) (rate(ambition_projection_events_total[5m]))"}),
    ("Parking released by outcome (/s)", "ops",
     {"{{outcome}}": "sum by (outcome) (rate(ambition_parking_released_total[5m]))"}),
    ("API requests by route and status (/s)", "reqps",
     {"{{route}} {{status}}": "sum by (route, status) (rate(ambition_api_requests_total[5m]))"}),
    ("API denied by reason (/s)", "reqps", {"{{reason}}": "sum by (reason) (rate(ambition_api_denied_total[5m]))"}),
]


def _targets(panel, queries: dict[str, str]):
    for i, (legend, expr) in enumerate(queries.items()):
        panel = panel.with_target(prometheus.Dataquery().expr(expr).legend_format(legend)
                                  .ref_id(chr(ord("A") + i)))
    return panel


def build() -> dict:
    d = (dashboard.Dashboard("Ambition Emploi Exchange").uid("ambition-exchange")
         .tags(["ambition"]).time("now-6h", "now").refresh("30s")
         .with_variable(dashboard.DatasourceVariable("datasource").label("Prometheus").type("prometheus")))
    for title, unit, queries, width in STATS:
        d = d.with_panel(_targets(stat.Panel().title(title).unit(unit).datasource(DATASOURCE)
                                  .height(4).span(width), queries))
    for title, unit, queries in SERIES:
        d = d.with_panel(_targets(timeseries.Panel().title(title).unit(unit).datasource(DATASOURCE)
                                  .height(8).span(12), queries))
    return json.loads(json.dumps(d.build(), cls=JSONEncoder))


def queries(model: dict) -> list[tuple[str, str]]:
    """(panel title, PromQL) of every panel of a dashboard model."""
    return [(p["title"], t["expr"]) for p in model["panels"] for t in p.get("targets", [])]


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


if __name__ == "__main__":
    (HERE / "ambition.json").write_text(render())
    print(f"wrote {HERE / 'ambition.json'}")
