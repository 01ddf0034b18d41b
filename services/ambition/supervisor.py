"""`ambition up`: the whole platform on one machine, supervised, and a clean stop of all of it.

Only Ctrl-C (SIGINT) or SIGTERM stops the platform. A worker that exits is restarted with a
back-off; so is the embedded broker, whose topics are then declared again (`supervision`).
"""
from __future__ import annotations

import logging
import signal
import time
from datetime import datetime

from . import metrics
from .broker import EmbeddedBroker
from .config import Settings
from .console import LiveStatus
from .local import LocalPlatform
from .supervision import Supervisor
from .topics import create_topics

log = logging.getLogger(__name__)


def _topics(settings: Settings) -> list[str]:
    return create_topics(settings.bootstrap, settings.topics)


# Consumers of the embedded broker: stopped while it is restarted, so that none keeps a position
# past the end of the new broker's (empty) logs and skips what arrives there first.
CONSUMERS = ("ingest", "projections")


def _supervisor(settings: Settings, broker: EmbeddedBroker | None, platform: LocalPlatform,
                notify) -> Supervisor:
    def on_exit(name: str) -> None:
        if name == "broker":
            for consumer in CONSUMERS:
                sup.hold(consumer, lambda c=consumer: platform.stop_worker(c))

    def on_restart(name: str) -> None:
        if name != "broker":
            return
        notify("the embedded broker was restarted: on memory storage it forgot every message it "
               "held (README, 'What the embedded broker keeps'); declaring the topics again")
        for _ in range(10):
            try:
                _topics(settings)
                break
            except Exception as exc:
                log.warning("topics not declared yet (%s); retrying", exc)
                time.sleep(1)
        for consumer in CONSUMERS:
            sup.release(consumer)

    sup = Supervisor(settings.supervisor_state, settings.restart_backoff_max, settings.crashloop_exits,
                     settings.crashloop_window, on_restart, notify=notify, on_exit=on_exit)
    if broker is not None:
        def start_broker() -> int:
            if broker.process is None or broker.process.poll() is not None:
                broker.start()
            return broker.process.pid

        sup.add("broker", start_broker, lambda: broker.process.poll())
    for name in platform.workers:
        sup.add(name, lambda name=name: platform.start_worker(name).pid,
                lambda name=name: platform.children[name].poll())
    return sup


def up(settings: Settings, verbose: bool = False) -> int:
    """Run the platform; each process logs to var/log/ (to this terminal with ``verbose``)
    while the terminal shows a live status line."""
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    settings.log_dir.mkdir(exist_ok=True)
    broker = None
    if not settings.kafka_bootstrap:
        broker = EmbeddedBroker(settings.broker_port, log_path=settings.log_dir / "broker.log")
        broker.start()
        print(f"embedded Kafka-protocol broker (Tansu) on {broker.bootstrap}", flush=True)
    platform = LocalPlatform({"AMBITION_KAFKA_BOOTSTRAP": settings.bootstrap},
                             log_dir=None if verbose else settings.log_dir, own_session=True)
    live = LiveStatus(settings)
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    def notify(text: str) -> None:
        live.message(f"{datetime.now():%H:%M:%S} {text}")
        log.info("%s", text)

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    sup = None
    try:
        created = _topics(settings)
        if created:
            print(f"created topics: {', '.join(created)}", flush=True)
        if not settings.production:  # the demo partners' keys are for development only
            from .contracts.partners import demo_partners

            demo_partners(settings)
        try:
            metrics.serve(settings.supervisor_metrics_port)
        except OSError as exc:
            print(f"supervisor metrics not served on :{settings.supervisor_metrics_port}: {exc}", flush=True)
        sup = _supervisor(settings, broker, platform, notify)
        from .api.jetons import annonce

        print(
            "\nAmbition Emploi Exchange is running:\n"
            f"  HTTP API        http://{settings.api_host}:{settings.api_port}  (OpenAPI: /docs, /openapi.json)\n"
            + annonce(settings, f"http://{settings.api_host}:{settings.api_port}") +
            f"  metrics         API /metrics; ingest :{settings.ingest_metrics_port}, "
            f"projections :{settings.projection_metrics_port}, relay :{settings.relay_metrics_port}, "
            f"supervisor :{settings.supervisor_metrics_port}\n"
            f"  Kafka           {settings.bootstrap}\n"
            f"  data            {settings.var_dir}\n"
            f"  logs            {settings.log_dir}/ (broker, ingest, relay, projections, api .log;"
            " `ambition up -v` shows them here)\n"
            f"  supervision     a worker that exits is restarted; state in {settings.supervisor_state}\n"
            "  try             .venv/bin/ambition simulate --cohorte 500\n"
            "  status          .venv/bin/ambition status (the line below, refreshed every 2 s)\n"
            "Ctrl-C stops everything.\n", flush=True)
        while not stopping:
            sup.tick()
            live.tick()
            time.sleep(0.3)
    finally:
        live.message("stopping...")
        platform.stop()
        if broker:
            broker.stop()
        if sup is not None:
            sup.write_state(stopped=True)
        print("stopped.", flush=True)
    return 0
