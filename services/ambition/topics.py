"""Create the platform's topics, as declared in infra/topics.toml."""
from __future__ import annotations

import logging
import time

from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from .config import Topics

log = logging.getLogger(__name__)


def create_topics(bootstrap: str, topics: Topics, timeout: float = 30.0) -> list[str]:
    """Create the missing topics; returns the names created. Retries while the broker warms up."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="ambition-admin",
                                     request_timeout_ms=10000)
            break
        except KafkaError as exc:
            if time.monotonic() > deadline:
                raise RuntimeError(f"cannot reach Kafka at {bootstrap}: {exc}") from exc
            time.sleep(0.5)
    try:
        existing = set(admin.list_topics())
        missing = [t for t in topics.all() if t not in existing]
        if missing:
            try:
                admin.create_topics([
                    NewTopic(name=t, num_partitions=topics.partitions,
                             replication_factor=topics.replication_factor)
                    for t in missing
                ])
            except TopicAlreadyExistsError:
                pass
        return missing
    finally:
        admin.close()
