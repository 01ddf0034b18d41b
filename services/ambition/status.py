"""The platform's state in one line or a small table, read from every process's /metrics.

`ambition up` refreshes it in the terminal; `ambition status` prints it for a platform already
running. Rates are the difference between two readings.
"""
from __future__ import annotations

import json
import time
import urllib.request
from dataclasses import dataclass, field

from prometheus_client.parser import text_string_to_metric_families

from .config import Settings

DECIDES = ("accepte", "doublon", "refuse")


def endpoints(settings: Settings) -> dict[str, str]:
    """Each worker's /metrics address."""
    return {"ingest": f"http://127.0.0.1:{settings.ingest_metrics_port}/metrics",
            "relay": f"http://127.0.0.1:{settings.relay_metrics_port}/metrics",
            "projections": f"http://127.0.0.1:{settings.projection_metrics_port}/metrics",
            "api": f"http://{settings.api_host}:{settings.api_port}/metrics"}


def scrape(url: str, timeout: float = 2) -> list[tuple[str, dict, float]] | None:
    """The samples of one /metrics page, None when the process does not answer."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            text = r.read().decode()
    except OSError:
        return None
    return [(s.name, s.labels, s.value) for f in text_string_to_metric_families(text) for s in f.samples]


def _sum(samples, name: str, **labels) -> float:
    return sum(v for n, lab, v in samples or [] if n == name
               and all(lab.get(k) in (w if isinstance(w, tuple) else (w,)) for k, w in labels.items()))


@dataclass
class Reading:
    """One reading of every process (cumulative counters, current gauges)."""

    at: float
    up: dict[str, bool]
    consumed: float = 0
    decided: float = 0
    refused: float = 0
    parked: float = 0
    relay_lag: float = 0
    freshness_sum: float = 0
    freshness_count: float = 0
    states: dict[str, str] = field(default_factory=dict)


def read(settings: Settings) -> Reading:
    pages = {name: scrape(url) for name, url in endpoints(settings).items()}
    ingest, relay, proj = pages["ingest"], pages["relay"], pages["projections"]
    return Reading(
        at=time.monotonic(), up={n: p is not None for n, p in pages.items()},
        consumed=_sum(ingest, "ambition_messages_consumed_total"),
        decided=_sum(ingest, "ambition_messages_consumed_total", outcome=DECIDES),
        refused=_sum(ingest, "ambition_rejected_total"),
        parked=_sum(ingest, "ambition_parked_events"),
        relay_lag=_sum(relay, "ambition_outbox_lag_events"),
        freshness_sum=_sum(proj, "ambition_projection_freshness_seconds_sum"),
        freshness_count=_sum(proj, "ambition_projection_freshness_seconds_count"),
        states=supervised(settings))


def supervised(settings: Settings) -> dict[str, str]:
    """Worker states published by the supervisor of `ambition up`, if it publishes them."""
    path = settings.var_dir / "run" / "supervisor.json"
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    workers = data.get("workers", data) if isinstance(data, dict) else {}
    return {str(k): str(v.get("state", v) if isinstance(v, dict) else v) for k, v in workers.items()}


@dataclass
class Figures:
    up: int
    total: int
    down: list[str]
    in_per_s: float
    decided_per_s: float
    refused: int
    parked: int
    relay_lag: int
    freshness_ms: float | None  # mean delay store -> view over the interval, None when idle


def figures(before: Reading, after: Reading) -> Figures:
    dt = max(after.at - before.at, 1e-6)
    n = after.freshness_count - before.freshness_count
    fresh = (after.freshness_sum - before.freshness_sum) / n * 1000 if n > 0 else None
    down = [k for k, ok in after.up.items() if not ok]
    down += [f"{k} ({v})" for k, v in after.states.items() if v not in ("up", "running") and k not in down]
    return Figures(up=sum(after.up.values()), total=len(after.up), down=down,
                   in_per_s=max(0.0, (after.consumed - before.consumed) / dt),
                   decided_per_s=max(0.0, (after.decided - before.decided) / dt),
                   refused=int(after.refused), parked=int(after.parked),
                   relay_lag=int(after.relay_lag), freshness_ms=fresh)


def line(f: Figures) -> str:
    """The status in one terminal line."""
    fresh = "idle" if f.freshness_ms is None else f"{f.freshness_ms:.0f} ms"
    text = (f"processes {f.up}/{f.total} up | in {f.in_per_s:.0f}/s decided {f.decided_per_s:.0f}/s"
            f" | refused {f.refused} | parked {f.parked} | relay lag {f.relay_lag}"
            f" | view freshness {fresh}")
    return text + (f" | DOWN: {', '.join(f.down)}" if f.down else "")


def table(f: Figures, settings: Settings) -> str:
    """The status as a small table (`ambition status`)."""
    fresh = "idle" if f.freshness_ms is None else f"{f.freshness_ms:.0f} ms (mean, event store -> view)"
    rows = [("processes up", f"{f.up}/{f.total}" + (f"  down: {', '.join(f.down)}" if f.down else "")),
            ("messages in", f"{f.in_per_s:.1f}/s"), ("decided", f"{f.decided_per_s:.1f}/s"),
            ("refused (total)", str(f.refused)), ("parked", str(f.parked)),
            ("relay lag", f"{f.relay_lag} events"), ("view freshness", fresh),
            ("logs", str(settings.log_dir))]
    return "\n".join(f"{k:<16} {v}" for k, v in rows)


def status(settings: Settings, interval: float = 2.0) -> int:
    """`ambition status`: two readings `interval` apart; exit 1 if a process does not answer."""
    before = read(settings)
    time.sleep(interval)
    f = figures(before, read(settings))
    print(table(f, settings), flush=True)
    return 0 if not f.down else 1
