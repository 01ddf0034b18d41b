"""Scale-out on PostgreSQL: the same backlog of enrolments taken by one `ambition ingest` worker,
then by two in the same consumer group (the partner topics' partitions split between them).

Each round starts the worker(s) on a fresh broker and a fresh PostgreSQL database, sends a
few warm-up enrolments again and again until every worker has decided some (each holds
partitions: the group is formed), then publishes the backlog and times from its first decision
to its last (the sum of the workers' own /metrics counters). A group join takes seconds on the
embedded broker (half the session timeout); timing it would measure the rebalance, not the
workers. Rounds alternate one and two workers; the medians and their ratio are printed.

Then the projection workers (`projections_main`): a cohort's event store on PostgreSQL
(`cohorte.remplir`, about ten events a parcours), applied to fresh PostgreSQL views by one
worker, then by two sharing the views (`AMBITION_PROJECTION_SHARES=2`: each page of a worker
takes the views furthest behind that the other does not hold). Timed from the first page seen
applied to the last (the workers' imports are not the views' work): the notifications applied,
summed over the five views, per second.
"""
from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from ambition.broker import EmbeddedBroker
from ambition.config import Settings, load_topics
from ambition.local import LocalPlatform
from ambition.topics import create_topics

from kafka import KafkaProducer

from .ingest import _consumed, _drop, _pg_dsn, _port
from .messages import enrolments

WARM = 40  # warm-up enrolments: enough keys to reach every partition


def run_one(n: int, workers: int) -> float:
    """Decided messages per second of ``workers`` ingest workers on a backlog of ``n``."""
    dsn = _pg_dsn()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            broker = EmbeddedBroker(_port(), log_path=Path(tmp) / "broker.log").start()
            try:
                ports = [_port() for _ in range(workers)]
                env = {"AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap, "AMBITION_VAR_DIR": f"{tmp}/var",
                       "AMBITION_EVENT_STORE": dsn, "AMBITION_INGEST_METRICS_PORT": str(ports[0])}
                settings = Settings(var_dir=Path(tmp) / "var", event_store=dsn,
                                    kafka_bootstrap=broker.bootstrap)
                create_topics(broker.bootstrap, load_topics())
                lot = enrolments(settings, n + WARM)
                warm, backlog = lot.messages[:WARM], lot.messages[WARM:]
                producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=20,
                                         batch_size=256 * 1024)
                topic = load_topics().lycee

                def send(messages) -> None:
                    for key, value, headers in messages:
                        producer.send(topic, key=key, value=value, headers=headers)
                    producer.flush()

                platform = LocalPlatform(env, workers=("ingest",), log_dir=Path(tmp) / "log").start()
                for i, port in enumerate(ports[1:], start=2):
                    platform.add_instance(f"ingest-{i}", "ingest", AMBITION_INGEST_METRICS_PORT=str(port))
                try:
                    def decided() -> float:
                        for name in platform.dead():
                            tail = (Path(tmp) / "log" / f"{name}.log").read_text(errors="replace")[-3000:]
                            raise RuntimeError(f"{name} died; its last log lines:\n{tail}")
                        return sum(_consumed(p) for p in ports)

                    sent, deadline = 0, time.monotonic() + 180
                    while not (all(_consumed(p) > 0 for p in ports) and decided() >= sent):
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"the group never formed, see {tmp}/log")
                        if decided() >= sent:  # again (duplicates), until every worker decides some
                            send(warm)
                            sent += len(warm)
                        time.sleep(0.5)
                    first = decided()
                    send(backlog)
                    while (debut := decided()) == first:
                        time.sleep(0.02)
                    started = time.perf_counter()
                    while decided() < first + n:
                        time.sleep(0.05)
                    elapsed = time.perf_counter() - started
                    counts = [_consumed(p) for p in ports]
                finally:
                    platform.stop()
                    producer.close()
            finally:
                broker.stop()
    finally:
        _drop(dsn)
    rate = (first + n - debut) / elapsed
    print(f"  {workers} worker(s): {rate:,.0f} decided/s ({elapsed:.1f}s for {first + n - debut:.0f}; decided "
          f"per worker {', '.join(f'{c:.0f}' for c in counts)})", flush=True)
    return rate


def main(n: int = 4000, rounds: int = 3) -> dict:
    import os

    print(f"scale-out on PostgreSQL: backlog of {n} enrolments on {load_topics().partitions} "
          f"partitions, 1 then 2 ingest workers, {rounds} rounds; load average "
          f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}, {os.cpu_count()} cores", flush=True)
    un, deux = [], []
    for _ in range(rounds):
        un.append(run_one(n, 1))
        deux.append(run_one(n, 2))
    r = {"n": n, "un": statistics.median(un), "deux": statistics.median(deux)}
    r["ratio"] = r["deux"] / r["un"]
    print(f"  median: 1 worker {r['un']:,.0f}/s, 2 workers {r['deux']:,.0f}/s: "
          f"ratio {r['ratio']:.2f}", flush=True)
    return r


def _positions(dsn: str) -> list[int]:
    import psycopg

    try:
        with psycopg.connect(dsn) as conn:
            return [p or 0 for (p,) in conn.execute("SELECT position FROM vue_generations")]
    except psycopg.Error:  # the workers have not created the tables yet
        return []


def projections_une(evenements: str, dernier: int, workers: int) -> float:
    """Notifications applied per second (each view's counted apart, divided by the views) by
    ``workers`` projection workers sharing fresh views, on the event store ``evenements``."""
    vues = _pg_dsn()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            broker = EmbeddedBroker(_port(), log_path=Path(tmp) / "broker.log").start()
            try:
                env = {"AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap, "AMBITION_VAR_DIR": f"{tmp}/var",
                       "AMBITION_EVENT_STORE": evenements, "AMBITION_READ_STORE": vues,
                       "AMBITION_PROJECTION_METRICS_PORT": str(_port()),
                       "AMBITION_PROJECTION_SHARES": str(workers)}
                create_topics(broker.bootstrap, load_topics())
                platform = LocalPlatform(env, workers=("projections",), log_dir=Path(tmp) / "log").start()
                for k in range(2, workers + 1):
                    platform.add_instance(f"projections-{k}", "projections",
                                          AMBITION_PROJECTION_METRICS_PORT=str(_port()))
                try:
                    deadline = time.monotonic() + 600
                    while not (debut := _positions(vues)) or len(debut) < 5 or sum(debut) == 0:
                        if platform.dead() or time.monotonic() > deadline:
                            raise RuntimeError(f"the projection workers did not start, see {tmp}/log")
                        time.sleep(0.02)
                    started = time.perf_counter()
                    while min(fin := _positions(vues)) < dernier:
                        if platform.dead() or time.monotonic() > deadline:
                            raise RuntimeError(f"a projection worker died, see {tmp}/log")
                        time.sleep(0.05)
                    elapsed = time.perf_counter() - started
                finally:
                    platform.stop()
            finally:
                broker.stop()
    finally:
        _drop(vues)
    rate = (sum(fin) - sum(debut)) / len(fin) / elapsed
    print(f"  {workers} projection worker(s): {rate:,.0f} notifications/s "
          f"({elapsed:.1f} s)", flush=True)
    return rate


def projections_main(parcours: int = 2000, rounds: int = 3) -> dict:
    from .cohorte import remplir

    evenements = _pg_dsn()
    try:
        rempli = remplir(evenements, parcours)
        print(f"projection workers on PostgreSQL: {rempli['evenements']:,} events of {parcours:,} "
              f"parcours, fresh views, 1 worker then 2 sharing the views, {rounds} rounds", flush=True)
        un, deux = [], []
        for _ in range(rounds):
            un.append(projections_une(evenements, rempli["evenements"], 1))
            deux.append(projections_une(evenements, rempli["evenements"], 2))
    finally:
        _drop(evenements)
    r = {"evenements": rempli["evenements"], "un": statistics.median(un), "deux": statistics.median(deux)}
    r["ratio"] = r["deux"] / r["un"]
    print(f"  median: 1 worker {r['un']:,.0f}/s, 2 workers {r['deux']:,.0f}/s: ratio {r['ratio']:.2f}",
          flush=True)
    return r
