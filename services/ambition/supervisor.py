"""`ambition up`: the whole platform on one machine, and a clean stop of all of it."""
from __future__ import annotations

import signal
import time

from .broker import EmbeddedBroker
from .config import Settings
from .console import LiveStatus
from .local import LocalPlatform
from .topics import create_topics


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
                             log_dir=None if verbose else settings.log_dir)
    live = LiveStatus(settings)
    stopping = False

    def _on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _on_signal)
    signal.signal(signal.SIGTERM, _on_signal)
    code = 0
    try:
        created = create_topics(settings.bootstrap, settings.topics)
        if created:
            print(f"created topics: {', '.join(created)}", flush=True)
        if not settings.production:  # the demo partners' keys are for development only
            from .contracts.partners import demo_partners

            demo_partners(settings)
        platform.start()
        from .api.jetons import annonce

        print(
            "\nAmbition Emploi Exchange is running:\n"
            f"  HTTP API        http://{settings.api_host}:{settings.api_port}  (OpenAPI: /docs, /openapi.json)\n"
            + annonce(settings, f"http://{settings.api_host}:{settings.api_port}") +
            f"  metrics         API /metrics; ingest :{settings.ingest_metrics_port}, "
            f"projections :{settings.projection_metrics_port}, relay :{settings.relay_metrics_port}\n"
            f"  Kafka           {settings.bootstrap}\n"
            f"  data            {settings.var_dir}\n"
            f"  logs            {settings.log_dir}/ (broker, ingest, relay, projections, api .log;"
            " `ambition up -v` shows them here)\n"
            "  try             .venv/bin/ambition simulate --cohorte 500\n"
            "  status          .venv/bin/ambition status (the line below, refreshed every 2 s)\n"
            "Ctrl-C stops everything.\n", flush=True)
        while not stopping:
            dead = platform.dead()
            if dead:
                live.message(f"worker {dead[0]} exited: stopping the platform "
                             f"(see {settings.log_dir / (dead[0] + '.log')})")
                code = 1
                break
            live.tick()
            time.sleep(0.3)
    finally:
        live.message("stopping...")
        platform.stop()
        if broker:
            broker.stop()
        print("stopped.", flush=True)
    return code
