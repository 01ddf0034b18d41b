"""`ambition up`: the whole platform on one machine, supervised, and a clean stop of all of it.

Only Ctrl-C (SIGINT) or SIGTERM stops the platform. A worker that exits is restarted with a
back-off; so is the embedded broker, whose topics are then declared again (`supervision`).
"""
from __future__ import annotations

import logging
import signal
import time

from . import metrics
from .broker import EmbeddedBroker
from .config import Settings
from .local import LocalPlatform
from .supervision import Supervisor
from .topics import create_topics

log = logging.getLogger(__name__)


def _topics(settings: Settings) -> None:
    created = create_topics(settings.bootstrap, settings.topics)
    if created:
        print(f"created topics: {', '.join(created)}", flush=True)


def _supervisor(settings: Settings, broker: EmbeddedBroker | None, platform: LocalPlatform) -> Supervisor:
    def on_restart(name: str) -> None:
        if name == "broker":  # memory storage: the restarted broker has no topics
            log.error("the embedded broker was restarted: on memory storage it forgot every "
                      "message it held (see README, 'What the embedded broker keeps')")
            for attempt in range(10):
                try:
                    return _topics(settings)
                except Exception as exc:
                    log.warning("topics not declared yet (%s); retrying", exc)
                    time.sleep(1)

    sup = Supervisor(settings.supervisor_state, settings.restart_backoff_max, settings.crashloop_exits,
                     settings.crashloop_window, on_restart)
    if broker is not None:
        def start_broker() -> int:
            broker.start()
            return broker.process.pid

        sup.add("broker", lambda: broker.process.pid if broker.process.poll() is None else start_broker(),
                lambda: broker.process.poll())
    for name in platform.workers:
        sup.add(name, lambda name=name: platform.start_worker(name).pid,
                lambda name=name: platform.children[name].poll())
    return sup


def up(settings: Settings) -> int:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    (settings.var_dir / "log").mkdir(exist_ok=True)
    broker = None
    if not settings.kafka_bootstrap:
        broker = EmbeddedBroker(settings.broker_port, log_path=settings.var_dir / "log" / "broker.log")
        broker.start()
        print(f"embedded Kafka-protocol broker (Tansu) on {broker.bootstrap}", flush=True)
    platform = LocalPlatform({"AMBITION_KAFKA_BOOTSTRAP": settings.bootstrap}, own_session=True)
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    sup = None
    try:
        _topics(settings)
        from .contracts.partners import demo_partners

        demo_partners(settings)
        try:
            metrics.serve(settings.supervisor_metrics_port)
        except OSError as exc:
            log.warning("supervisor metrics not served on :%s (%s)", settings.supervisor_metrics_port, exc)
        sup = _supervisor(settings, broker, platform)
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
            f"  supervision     {settings.supervisor_state}\n"
            "  try             .venv/bin/ambition simulate --eleves 500\n"
            "Ctrl-C stops everything.\n", flush=True)
        while not stopping:
            sup.tick()
            time.sleep(0.3)
    finally:
        print("stopping...", flush=True)
        platform.stop()
        if broker:
            broker.stop()
        if sup is not None:
            sup.write_state(stopped=True)
        print("stopped.", flush=True)
    return 0
