"""Freshness: from a partner's publish to visibility in the HTTP API, at a steady rate.

The real platform (ingest, relay, projections, API as processes, as `ambition up` and the
end-to-end tests run it) on a private embedded broker and a temporary data directory. A lycée
publishes enrolments at a steady rate (signed, Avro, through the SDK's `build`, sent without
waiting for each acknowledgement); a poller reads the lycée's view (`total`) every 25 ms (a
latency is rounded up by at most that; polling faster made the API itself a tenth of a core of
the load it measures). When the total reaches k, the k-th published enrolment is counted as
visible: latency = that moment minus its publish time. The first seconds (warm-up) are not counted.
"""
from __future__ import annotations

import os
import random
import socket
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import httpx
from kafka import KafkaProducer
from tqdm import tqdm

WARMUP_S = 3.0
POLL_S = 0.025  # how often the poller reads the view
PACE_S = 0.005  # the load generator sends what is due every 5 ms, as the producer batches (linger)
WAIT_S = 60.0  # after the last publish, how long the poller waits for the rest


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _mean(url: str, histogram: str) -> float:
    """Mean of a Prometheus histogram served at url."""
    values = {}
    for line in httpx.get(url).text.splitlines():
        name = line.split(" ")[0]
        if name in (f"{histogram}_sum", f"{histogram}_count"):
            values[name] = float(line.split()[-1])
    count = values.get(f"{histogram}_count", 0)
    return values.get(f"{histogram}_sum", 0) / count if count else 0.0


def _ticks(path: str) -> int:
    """utime + stime of a process or thread (/proc/.../stat), in clock ticks; 0 once gone."""
    try:
        with open(path) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def _descendants(pid: int) -> list[int]:
    """pid and every process below it (an ingest worker's reading processes)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo.extend(parents.get(p, []))
    return found


def _cpu_seconds(processes: dict[str, int], threads: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each part: a process with its descendants, or a thread of
    this process."""
    hz = os.sysconf("SC_CLK_TCK")
    cpu = {name: sum(_ticks(f"/proc/{p}/stat") for p in
                     (_descendants(pid) if pid != os.getpid() else [pid])) / hz
           for name, pid in processes.items()}
    cpu.update({name: _ticks(f"/proc/self/task/{tid}/stat") / hz for name, tid in threads.items()})
    return cpu


def run(rate: float = 200, seconds: float = 30, readers: int = 0, ingest: int = 1) -> dict:
    """``ingest``: ingest workers in the consumer group (the partner topics have 4 partitions)."""
    from ambition.api.jetons import demo_tokens
    from ambition.broker import EmbeddedBroker
    from ambition.config import Settings, load_topics
    from ambition.contracts.partners import demo_partners
    from ambition.local import LocalPlatform
    from ambition.parcours.calendrier import Calendrier, annee_scolaire
    from ambition.sdk.lycee import LyceeProducer
    from ambition.simulator import inscription
    from ambition.topics import create_topics

    base = Path(tempfile.mkdtemp(prefix="ambition-bench-"))
    broker = EmbeddedBroker(_free_port(), log_path=base / "broker.log").start()
    env = {"AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap, "AMBITION_VAR_DIR": str(base / "var"),
           "AMBITION_API_PORT": str(_free_port()), "AMBITION_INGEST_METRICS_PORT": str(_free_port()),
           "AMBITION_PROJECTION_METRICS_PORT": str(_free_port()),
           "AMBITION_RELAY_METRICS_PORT": str(_free_port()), "AMBITION_API_TOKENS": "",
           "AMBITION_INGEST_READERS": str(readers)}
    settings = Settings(var_dir=base / "var", kafka_bootstrap=broker.bootstrap,
                        api_port=int(env["AMBITION_API_PORT"]))
    create_topics(broker.bootstrap, load_topics())
    lycee = next(c for c in demo_partners(settings) if c.type == "LYCEE")
    platform = LocalPlatform(env, log_dir=base / "log").start()
    for k in range(2, ingest + 1):
        platform.add_instance(f"ingest-{k}", "ingest", AMBITION_INGEST_METRICS_PORT=str(_free_port()))
    url = f"http://127.0.0.1:{settings.api_port}"
    try:
        platform.wait_api(url)
        token = demo_tokens(settings)[lycee.partner_id]
        total = int(rate * (seconds + WARMUP_S))
        today = date.today()
        rentree = Calendrier.depuis_json(settings.calendrier).rentree(annee_scolaire(today))
        rng = random.Random(1)
        sdk = LyceeProducer(lycee, settings=settings, bootstrap=broker.bootstrap)
        messages = []
        for _ in tqdm(range(total), desc="preparing enrolments", unit="event"):
            fields, _ = inscription(rng, lycee.identifiant, rentree, max(today, rentree))
            fields.update(diplome="CAP", session_examen=rentree.year, en_emploi=False,
                          uai=lycee.identifiant, mission_locale_pressentie=None)
            value, headers = sdk.build("EleveInscrit", sdk.cle(fields["ine"]), fields)
            messages.append((sdk.pseudonyme(fields["ine"]).encode(), value, headers))
        sdk.close()
        published: list[float] = [0.0] * total
        visible: list[float | None] = [None] * total
        done = threading.Event()
        all_seen = threading.Event()

        threads: dict[str, int] = {}

        def poll() -> None:
            threads["poller"] = threading.get_native_id()
            seen = 0
            with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"},
                              timeout=30) as http:
                while seen < total and not done.is_set():
                    try:
                        n = http.get(f"/v1/lycees/{lycee.identifiant}/eleves", params={"limit": 1}).json()["total"]
                    except httpx.HTTPError:  # an API slowed down by the load: ask again
                        time.sleep(0.1)
                        continue
                    now = time.perf_counter()
                    for k in range(seen, min(n, total)):
                        visible[k] = now
                    seen = max(seen, n)
                    time.sleep(POLL_S)
            all_seen.set()
            done.wait()  # the thread stays until its CPU time is read

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        while "poller" not in threads:
            time.sleep(0.001)
        parts = {name: child.pid for name, child in platform.children.items()}
        parts["broker"] = broker.process.pid
        parts["load generator"] = os.getpid()  # this process: the poller's thread subtracted below
        # batched as a partner's SDK outbox does (5 ms): one request a message made the load
        # generator and the broker a third of the machine at 1,000/s
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=5)
        topic = load_topics().lycee
        cpu_before = _cpu_seconds(parts, threads)
        start = time.perf_counter()
        i = 0
        with tqdm(total=total, desc=f"publishing at {rate:g}/s", unit="event") as progress:
            while i < total:
                # every PACE_S, the enrolments due by now: a sleep a message cost the load
                # generator more than its sends
                now = time.perf_counter()
                due = min(total, int((now - start) * rate) + 1)
                for k in range(i, due):
                    key, value, headers = messages[k]
                    published[k] = time.perf_counter()
                    producer.send(topic, key=key, value=value, headers=headers)
                progress.update(due - i)
                i = due
                time.sleep(PACE_S)
        producer.flush()
        sent_s = time.perf_counter() - start
        all_seen.wait(timeout=WAIT_S)
        elapsed = time.perf_counter() - start
        cpu_after = _cpu_seconds(parts, threads)
        cpu = {name: cpu_after[name] - cpu_before[name] for name in cpu_after}
        cpu["load generator"] -= cpu["poller"]  # the poller's thread, still running (it ends with done)
        # cores each part used while the enrolments were published and made visible
        cores = {name: round(v / elapsed, 2) for name, v in sorted(cpu.items(), key=lambda x: -x[1])}
        done.set()
        poller.join()
        producer.close()
        warm = int(rate * WARMUP_S)
        # an enrolment never visible within the wait counts as infinitely late
        lat = [v - p if v is not None else float("inf") for p, v in zip(published[warm:], visible[warm:])]
        missing = sum(v is None for v in visible[warm:])
        stored_to_view = _mean(f"http://127.0.0.1:{env['AMBITION_PROJECTION_METRICS_PORT']}/metrics",
                               "ambition_projection_freshness_seconds")
        result = {"stored_to_projected_mean_ms": round(stored_to_view * 1000, 1), "rate": rate, "achieved_rate": round(total / sent_s, 1), "events": len(lat),
                  "missing": missing, "p50_ms": round(_quantile(lat, 0.5) * 1000, 1),
                  "p99_ms": round(_quantile(lat, 0.99) * 1000, 1), "max_ms": round(max(lat) * 1000, 1),
                  "cores": cores, "cores_total": round(sum(cpu.values()) / elapsed, 2)}
        print(f"\nfreshness (partner publish -> visible in the API), {result['events']} enrolments "
              f"at {rate:g}/s (achieved {result['achieved_rate']}/s), after {WARMUP_S:g} s warm-up:\n"
              f"  p50 {result['p50_ms']} ms   p99 {result['p99_ms']} ms   max {result['max_ms']} ms"
              + (f"   ({missing} never visible)" if missing else "")
              + f"\n  of which event store -> read view (relay + projection), mean: "
                f"{result['stored_to_projected_mean_ms']} ms"
              + f"\n  cores used ({elapsed:.0f} s until the last was visible), "
                f"{result['cores_total']} in all: " + ", ".join(f"{k} {v}" for k, v in cores.items()))
        return result
    finally:
        platform.stop()
        broker.stop()
