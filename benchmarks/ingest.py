"""Rentrée peak: how fast the parcours processor absorbs a backlog of enrolments.

N signed enrolments from the demo lycées are published first (as every lycée uploading at
once would); then one `ambition ingest` worker is started and timed until it has decided all
of them (its own /metrics counter). Run for the SQLite event store and for PostgreSQL.
"""
from __future__ import annotations

import os
import re
import socket
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
from kafka import KafkaProducer

from ambition.broker import EmbeddedBroker
from ambition.config import Settings, load_topics
from ambition.local import LocalPlatform
from ambition.topics import create_topics

from .messages import enrolments

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
CONSUMED = re.compile(r'^ambition_messages_consumed_total\{[^}]*\} ([0-9.e+]+)$', re.M)


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _consumed(port: int) -> float:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as r:
            return sum(float(v) for v in CONSUMED.findall(r.read().decode()))
    except OSError:
        return 0.0


def pic_memoire_mib(pid: int) -> float:
    """Peak resident memory of a running process (VmHWM of /proc/PID/status), in MiB."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def cpu_secondes(pid: int) -> float:
    """CPU time (user + system) a running process has used so far, in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        champs = f.read().rsplit(")", 1)[1].split()
    return (int(champs[11]) + int(champs[12])) / os.sysconf("SC_CLK_TCK")


def _publish(settings: Settings, bootstrap: str, n: int) -> float:
    lot = enrolments(settings, n)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all", linger_ms=20,
                             batch_size=256 * 1024)
    topic = load_topics().lycee
    for key, value, headers in lot.messages:
        producer.send(topic, key=key, value=value, headers=headers)
    producer.flush()
    producer.close()
    return lot.per_second


def run_one(n: int, event_store: str, label: str, apres=None, readers: int = 0) -> dict:
    """``apres(settings)``, if given, runs on the filled store once the worker is stopped
    (the rebuild and PSAD benchmarks), before the temporary store goes."""
    with tempfile.TemporaryDirectory() as tmp:
        broker = EmbeddedBroker(_port(), log_path=Path(tmp) / "broker.log").start()
        metrics_port = _port()
        env = {"AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap, "AMBITION_VAR_DIR": f"{tmp}/var",
               "AMBITION_EVENT_STORE": event_store, "AMBITION_INGEST_METRICS_PORT": str(metrics_port),
               "AMBITION_INGEST_READERS": str(readers)}
        settings = Settings(var_dir=Path(tmp) / "var", event_store=event_store,
                            kafka_bootstrap=broker.bootstrap)
        try:
            create_topics(broker.bootstrap, load_topics())
            sdk_rate = _publish(settings, broker.bootstrap, n)
            platform = LocalPlatform(env, workers=("ingest",), log_dir=Path(tmp) / "log").start()
            try:
                while _consumed(metrics_port) == 0:  # wait for the group join and first batch
                    if platform.dead():
                        raise RuntimeError(f"ingest died, see {tmp}/log")
                    time.sleep(0.05)
                pid = platform.children["ingest"].pid
                started, cpu = time.perf_counter(), cpu_secondes(pid)
                first = _consumed(metrics_port)
                while _consumed(metrics_port) < n:
                    if platform.dead():
                        raise RuntimeError(f"ingest died, see {tmp}/log")
                    time.sleep(0.1)
                elapsed, cpu = time.perf_counter() - started, cpu_secondes(pid) - cpu
                memoire = pic_memoire_mib(pid)
            finally:
                platform.stop()
            extra = apres(settings) if apres else {}
        finally:
            broker.stop()
    rate, par_cpu = (n - first) / elapsed, (n - first) / cpu
    print(f"  {label:<10} {n} enrolments: SDK built and signed {sdk_rate:,.0f}/s; "
          f"processor {rate:,.0f} decided/s ({elapsed:.1f}s for {n - first:.0f}; "
          f"{par_cpu:,.0f} per second of its CPU); its peak memory {memoire:,.0f} MiB", flush=True)
    return {"store": label, "n": n, "per_second": rate, "per_cpu_second": par_cpu, "readers": readers,
            "sdk_per_second": sdk_rate, "memoire_mib": memoire, **extra}


def _pg_dsn() -> str:
    name = f"ambition_bench_{time.time_ns()}"
    with psycopg.connect(ADMIN, autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _drop(dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    with psycopg.connect(ADMIN, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main(n: int = 20000, apres=None, readers: int = 0) -> list[dict]:
    print(f"ingest: rentrée peak, backlog of {n} enrolments, 1 worker ({readers} reading processes), "
          f"batch {Settings().batch_size}", flush=True)
    results = [run_one(n, "", "sqlite", readers=readers)]
    dsn = _pg_dsn()
    try:
        results.append(run_one(n, dsn, "postgresql", apres, readers))
    finally:
        _drop(dsn)
    return results
