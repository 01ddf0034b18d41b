"""The `ambition` command."""
from __future__ import annotations

import argparse
import importlib
import logging
import signal
import sys
from pathlib import Path

from .config import Settings


# Each area adds its own subcommands with a `register(subparsers)` function.
COMMAND_MODULES = ["ambition.contracts.commands", "ambition_projections.commands",
                   "ambition.exchange.commands", "ambition.sdk.commands", "ambition.identite.commands"]


WORKERS = ("ingest", "relay", "projections", "api")
# client libraries whose INFO lines (partition tables, metadata, producer closing) say nothing to
# the user of a command: shown with -v only
NOISY = ("kafka", "aiokafka", "faust", "mode", "urllib3", "httpx")


def _up(args) -> int:
    from .supervisor import up

    return up(Settings(), verbose=getattr(args, "verbose", False))


def _status(args) -> int:
    from .status import status

    return status(Settings())


def _ingest(args) -> int:
    from .ingest.app import main

    main()
    return 0


def _relay(args) -> int:
    from . import metrics
    from .bootstrap import make_app
    from .contracts.codec import Registry
    from .outbox import Relay
    from .reconnect import Outage, retrying

    settings = Settings()
    metrics.serve(settings.relay_metrics_port)
    # a store away at start is waited for like one away later
    outage, registry = Outage("evenements"), Registry.load(settings.schemas_dir)
    app = retrying(lambda: make_app(settings), outage)
    relay = retrying(lambda: Relay(settings, app, registry), outage)
    signal.signal(signal.SIGTERM, lambda *_: relay.stop())
    signal.signal(signal.SIGINT, lambda *_: relay.stop())
    relay.run()
    return 0


def _projections(args) -> int:
    from ambition_projections.runner import ProjectionWorker

    from . import metrics
    from .bootstrap import make_app
    from .contracts.codec import Registry
    from .reconnect import Outage, retrying
    from .sqlstore import read_engine

    settings = Settings()
    metrics.serve(settings.projection_metrics_port)
    # a store away at start is waited for like one away later
    app = retrying(lambda: make_app(settings), Outage("evenements"))
    worker = ProjectionWorker(settings, read_engine(settings), Registry.load(settings.schemas_dir), app)
    signal.signal(signal.SIGINT, lambda *_: worker.stop())
    worker.run()
    return 0


def _api(args) -> int:
    import uvicorn

    from .api.app import create_app

    settings = Settings()
    uvicorn.run(create_app(settings), host=settings.api_host, port=settings.api_port,
                log_level="warning")
    return 0


def _simulate(args) -> int:
    if args.cohorte is not None:
        from .simulation.cohorte import simulate_cohorte

        return simulate_cohorte(Settings(), args.cohorte, seed=args.seed, vitesse=args.vitesse,
                                continu=args.continu, verite_path=args.verite)
    from .simulator import simulate

    return simulate(Settings(), args.eleves or 100, seed=args.seed)


def _topics(args) -> int:
    from .topics import create_topics

    settings = Settings()
    print("created:", ", ".join(create_topics(settings.bootstrap, settings.topics)) or "nothing")
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ambition", description="Ambition Emploi Exchange")
    p.add_argument("-v", "--verbose", action="store_true", help="show the libraries' logs")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("up", help="run the whole platform (embedded broker unless "
                   "AMBITION_KAFKA_BOOTSTRAP is set); Ctrl-C stops it").set_defaults(func=_up)
    sub.add_parser("ingest", help="run the parcours processor (Faust worker)").set_defaults(func=_ingest)
    sub.add_parser("relay", help="run the outbound relay (event store -> parcours.events)").set_defaults(func=_relay)
    sub.add_parser("projections", help="run the projection worker (events -> read views)").set_defaults(func=_projections)
    sub.add_parser("api", help="run the HTTP read API").set_defaults(func=_api)
    sim = sub.add_parser("simulate", help="play a cohort's parcours through the partners' producers "
                         "(--cohorte N), or only enrolments (--eleves N)")
    quoi = sim.add_mutually_exclusive_group()
    quoi.add_argument("--cohorte", type=int, default=None, metavar="N",
                      help="N young people through whole parcours since the rentrée; prints the "
                      "PSAD figures expected")
    quoi.add_argument("--eleves", type=int, default=None, help="only N enrolments (default 100)")
    sim.add_argument("--seed", type=int, default=None, help="random seed, for a repeatable cohort")
    sim.add_argument("--vitesse", type=float, default=0, metavar="JOURS_PAR_S",
                     help="simulated days played per second (default 0: as fast as possible)")
    sim.add_argument("--continu", action="store_true", help="keep sending new cohorts until Ctrl-C")
    sim.add_argument("--verite", type=Path, default=None, metavar="FICHIER",
                     help="also write the expected figures (JSON) to this file")
    sim.set_defaults(func=_simulate)
    sub.add_parser("topics", help="create the platform's topics (infra/topics.toml)").set_defaults(func=_topics)
    sub.add_parser("status", help="processes up, messages/s, refusals, parking, relay lag and view "
                   "freshness of the running platform").set_defaults(func=_status)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(sub)
    for command in sub.choices.values():
        command.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                             help="show the libraries' logs (and, for up, every process's log)")
    return p


def configure_logging(command: str, verbose: bool) -> None:
    """Workers log at INFO (to var/log/ under `ambition up`); the other commands print only what
    their user needs, unless -v."""
    worker = command in WORKERS
    logging.basicConfig(level=logging.INFO if worker or verbose else logging.WARNING,
                        format="%(asctime)s %(name)s %(levelname)s %(message)s")
    if not (worker or verbose):
        for name in NOISY:
            logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    configure_logging(args.command, args.verbose)
    if args.command in ("up", *WORKERS):  # in production, no process starts with a development secret
        from .production import exiger

        exiger(Settings())
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
