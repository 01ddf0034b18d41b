"""Every Prometheus metric of the platform, defined in one place.

Labels carry topics, outcomes, reason codes, partner TYPES and view names: never an INE, a
name, a birth date, a parcours key or a partner's individual identifier.
"""
from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, start_http_server

MESSAGES_CONSUMED = Counter(
    "ambition_messages_consumed_total",
    "Partner messages consumed by the parcours processor, by topic and outcome "
    "(accepte, doublon, refuse, parque).",
    ["topic", "outcome"],
)
REJECTED = Counter(
    "ambition_rejected_total", "Messages sent to the rejected topic, by reason code.", ["reason"]
)
PROCESSING_SECONDS = Histogram(
    "ambition_processing_seconds",
    "Time to decide and store one batch of partner messages.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
BATCH_SIZE = Histogram(
    "ambition_batch_size", "Partner messages per processed batch.",
    buckets=(1, 5, 10, 25, 50, 100, 250, 500),
)
OUTBOX_PUBLISHED = Counter(
    "ambition_outbox_published_total", "Domain events published to parcours.events."
)
OUTBOX_LAG = Gauge(
    "ambition_outbox_lag_events",
    "Domain events stored but not yet published (notification log max id minus relay position).",
)
PROJECTED = Counter(
    "ambition_projection_events_total",
    "Events applied by the projection worker, by view and outcome (applique, doublon).",
    ["projection", "outcome"],
)
PROJECTION_SECONDS = Histogram(
    "ambition_projection_seconds", "Time to apply one batch of events to the read models.",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
API_REQUESTS = Counter(
    "ambition_api_requests_total", "HTTP API requests by route template and status.",
    ["route", "status"],
)
API_SECONDS = Histogram(
    "ambition_api_request_seconds", "HTTP API request duration by route template.", ["route"]
)


def serve(port: int) -> None:
    """Serve /metrics of this process on 127.0.0.1:port (in a daemon thread)."""
    start_http_server(port, addr="127.0.0.1")


# -- read views (projections, rebuild, API) ----------------------------------------------------
PROJECTION_FRESHNESS = Histogram(
    "ambition_projection_freshness_seconds",
    "Delay from a domain event's envelope time (stored in the event store) to its projection.",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
REBUILD_EVENTS = Counter(
    "ambition_rebuild_events_total", "Domain events replayed from the event store by rebuilds, by view.",
    ["projection"],
)
VIEW_GENERATION = Gauge(
    "ambition_view_generation", "Generation of each read view currently served.", ["projection"],
)
PROJECTION_ERRORS = Counter(
    "ambition_projection_errors_total", "Domain events a view could not apply, parked in "
    "projection_erreurs (the view went on), by projection.",
    ["projection"],
)
PERSONAL_READS = Counter(
    "ambition_api_personal_reads_total", "Parcours whose personal data an API answer returned "
    "(each traced in journal_lectures), by route template.",
    ["route"],
)
API_DENIED = Counter(
    "ambition_api_denied_total", "API requests refused, by reason (unauthenticated, forbidden, rate_limited).",
    ["reason"],
)


# -- the partner exchange: parking, retries (issue #6) --------------------------------------
PARKED = Gauge(
    "ambition_parked_events",
    "Partner facts parked because their parcours is not known yet (the shared parking table, "
    "as seen by this processor: aggregate with max, not sum).",
)
PARKING_RELEASED = Counter(
    "ambition_parking_released_total",
    "Parked facts that left the parking, by outcome (accepte, doublon, refuse, orphelin).",
    ["outcome"],
)
RETRIED = Counter(
    "ambition_rejected_retried_total",
    "Rejected messages re-submitted by an operator, by outcome (accepte, doublon, refuse, parque).",
    ["outcome"],
)
PARTITIONS_ASSIGNED = Gauge(
    "ambition_ingest_partitions_assigned",
    "Partitions of the partner topics this processor holds in its consumer group, by topic "
    "(0 on every topic: a processor idle since the last rebalance).",
    ["topic"],
)
REJECTED_UNSENT = Gauge(
    "ambition_rejected_unsent_events",
    "Refusals written durably but not yet acknowledged by the rejected topic (broker away).",
)


# --- partner SDK outbox (issue #6, partner side) ---
PARTNER_OUTBOX_BACKLOG = Gauge(
    "ambition_partner_outbox_backlog_events",
    "Partner events written to the SDK's local outbox and not yet acknowledged by the broker, "
    "by partner type (summed over this process's producers).",
    ["partner_type"],
)


# -- reliability: stores that come back, supervised workers -------------------------------------
STORE_UNAVAILABLE = Gauge(
    "ambition_store_unavailable",
    "1 while this process waits for a store (event store, read store) that does not answer.",
    ["store"],
)
STORE_OUTAGES = Counter(
    "ambition_store_outages_total", "Times this process found a store unavailable and waited.",
    ["store"],
)
STORE_OUTAGE_SECONDS = Counter(
    "ambition_store_outage_seconds_total", "Seconds this process spent waiting for a store.",
    ["store"],
)
PROJECTION_LAG = Gauge(
    "ambition_projection_lag_events",
    "Notifications stored in the event store and not yet applied to the read views.",
)
WORKER_UP = Gauge(
    "ambition_worker_up", "1 while the supervisor sees the worker process running.", ["worker"],
)
WORKER_RESTARTS = Counter(
    "ambition_worker_restarts_total", "Worker processes restarted by the supervisor after an exit.",
    ["worker"],
)
WORKER_CRASHLOOP = Gauge(
    "ambition_worker_crashloop",
    "1 while a worker keeps exiting (AMBITION_CRASHLOOP_EXITS exits within "
    "AMBITION_CRASHLOOP_WINDOW seconds).",
    ["worker"],
)
