"""The status line: rates between two readings of the processes' /metrics, known answers."""
from __future__ import annotations

from ambition.status import Reading, figures, line

UP = {"ingest": True, "relay": True, "projections": True, "api": True}


def test_rates_and_freshness_between_two_readings():
    """300 messages consumed (280 decided) in 2 s: 150/s in, 140/s decided; 40 projections that
    took 6 s in all: a mean freshness of 150 ms."""
    before = Reading(at=10.0, up=UP, consumed=1000, decided=900, freshness_sum=10.0, freshness_count=100)
    after = Reading(at=12.0, up=UP, consumed=1300, decided=1180, refused=7, parked=3, relay_lag=12,
                    freshness_sum=16.0, freshness_count=140)
    f = figures(before, after)
    assert (f.in_per_s, f.decided_per_s, f.freshness_ms) == (150.0, 140.0, 150.0)
    assert line(f) == ("processes 4/4 up | in 150/s decided 140/s | refused 7 | parked 3 | "
                       "relay lag 12 | view freshness 150 ms")


def test_an_idle_platform_and_a_process_down():
    before = Reading(at=0.0, up=UP, consumed=5)
    after = Reading(at=2.0, up=dict(UP, relay=False), consumed=5,
                    states={"ingest": "restarting", "api": "running"})
    f = figures(before, after)
    assert f.freshness_ms is None and f.in_per_s == 0
    assert line(f).endswith("| view freshness idle | DOWN: relay, ingest (restarting)")
