"""kafka-python's producer: CPU a message, with the record batches' CRC-32C computed by the
`crc32c` package (C) or by kafka-python's own pure-Python fallback, same run, alternated.

Every kafka-python producer of the platform pays it: the relay, the partner SDK, the load
generator of the freshness benchmark. Messages of an enrolment's size (1,400 bytes of value,
eight headers of 40 bytes), sent as the freshness load does: what is due every 5 ms, linger
5 ms, acks=all. Run: ``python -m benchmarks.producteur`` (about a minute).
"""
from __future__ import annotations

import os
import resource
import statistics
import tempfile
import time
from pathlib import Path

N = 5000
RATE = 1000  # messages a second, as the freshness goal
PACE_S = 0.005


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _envoyer(producer, topic: str, value: bytes, headers: list) -> float:
    """CPU seconds of this process a message, N messages at RATE a second."""
    debut_cpu, debut, i = _cpu(), time.perf_counter(), 0
    while i < N:
        due = min(N, int((time.perf_counter() - debut) * RATE) + 1)
        for k in range(i, due):
            producer.send(topic, key=b"eleve-%d" % (k % 500), value=value, headers=headers)
        i = due
        time.sleep(PACE_S)
    producer.flush()
    return (_cpu() - debut_cpu) / N


def main() -> dict:
    from kafka import KafkaProducer
    from kafka.record import default_records, util

    from ambition.broker import EmbeddedBroker
    from ambition.config import load_topics
    from ambition.topics import create_topics

    from .freshness import _free_port

    if util.crc32c_c is None:
        raise SystemExit("the crc32c package is not installed: nothing to compare")
    base = Path(tempfile.mkdtemp(prefix="ambition-bench-"))
    broker = EmbeddedBroker(_free_port(), log_path=base / "broker.log").start()
    resultats: dict[str, list[float]] = {"C (crc32c)": [], "pure Python": []}
    try:
        create_topics(broker.bootstrap, load_topics())
        topic = load_topics().lycee
        value, headers = os.urandom(1400), [(f"h{i}", os.urandom(40)) for i in range(8)]
        producer = KafkaProducer(bootstrap_servers=broker.bootstrap, acks="all", linger_ms=5)
        producer.send(topic, value=value).get(timeout=30)
        for _ in range(3):
            for nom, crc in (("C (crc32c)", util.crc32c_c), ("pure Python", util.crc32c_py)):
                default_records.calc_crc32c = lambda mv, _crc=crc: _crc(mv)
                resultats[nom].append(_envoyer(producer, topic, value, headers))
        producer.close()
    finally:
        default_records.calc_crc32c = util.calc_crc32c
        broker.stop()
    medianes = {nom: statistics.median(v) * 1e6 for nom, v in resultats.items()}
    print(f"kafka-python producer, {N:,} messages of 1.7 kB at {RATE:,}/s, CPU a message "
          f"(medians of 3, alternated):")
    for nom, us in medianes.items():
        print(f"  CRC-32C {nom:12} {us:6.0f} µs")
    print(f"  ratio {medianes['pure Python'] / medianes['C (crc32c)']:.2f}")
    return medianes


if __name__ == "__main__":
    main()
