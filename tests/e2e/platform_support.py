"""The whole platform as processes on its own broker and data directory (optionally with extra
settings: parking delay, batch size), shared by every end-to-end test."""
from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx

from ambition.api.jetons import demo_tokens
from ambition.broker import EmbeddedBroker
from ambition.config import Settings, load_topics
from ambition.contracts.partners import demo_partners
from ambition.local import WORKERS, LocalPlatform
from ambition.sdk import PRODUCERS
from ambition.topics import create_topics


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Running:
    """A started platform; ``get`` reads the API as an actor (its demo bearer token): the one
    named, else the client's own Authorization header if a test set one, else the national PSAD."""

    def __init__(self, settings: Settings, env: dict, platform: LocalPlatform, broker: EmbeddedBroker):
        self.settings, self.env, self.platform, self.broker = settings, env, platform, broker
        self.base_url = f"http://127.0.0.1:{settings.api_port}"
        self.http = httpx.Client(base_url=self.base_url, timeout=10)
        self.tokens = demo_tokens(settings)
        self.ouverts: list = []  # partner producers opened by the tests, closed with the platform

    def _auth(self, actor: str | None) -> dict:
        if actor is None and "Authorization" in self.http.headers:
            return {}
        return {"Authorization": f"Bearer {self.tokens[actor or 'psad:national']}"}

    def get(self, path: str, actor: str | None = None, **params) -> dict:
        r = self.http.get(path, params=params, headers=self._auth(actor))
        r.raise_for_status()
        return r.json()

    def wait_for(self, path: str, predicate, timeout: float = 60, actor: str | None = None, **params) -> dict:
        deadline, body = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            if self.platform.dead():
                raise AssertionError(f"worker(s) died: {self.platform.dead()}")
            body = self.get(path, actor, **params)
            if predicate(body):
                return body
            time.sleep(0.3)
        raise AssertionError(f"{path} never satisfied the condition; last: {body}")


def essentiel(synthese: dict) -> dict:
    """The PSAD figures a cohort's ground truth predicts."""
    return {k: synthese[k] for k in ("entrees", "parcours_ouverts", "issues", "refus")}


def demarrer(base: Path, workers=WORKERS, **extra_env: str) -> Running:
    """Start a platform (``workers``: all by default); once more on fresh ports if a worker dies
    at start (another process of this shared machine may take a port between its choice and its use)."""
    try:
        return _demarrer(base / "a", workers, **extra_env)
    except (RuntimeError, TimeoutError) as first:
        print(f"platform start failed, retrying on fresh ports: {first}")
        return _demarrer(base / "b", workers, **extra_env)


def _demarrer(base: Path, workers=WORKERS, **extra_env: str) -> Running:
    base.mkdir(parents=True, exist_ok=True)
    broker = EmbeddedBroker(free_port(), log_path=base / "broker.log").start()
    ports = {k: free_port() for k in ("api", "ingest", "projection", "relay")}
    settings = Settings(var_dir=base / "var", kafka_bootstrap=broker.bootstrap, api_port=ports["api"],
                        ingest_metrics_port=ports["ingest"], projection_metrics_port=ports["projection"],
                        relay_metrics_port=ports["relay"])
    env = {"AMBITION_KAFKA_BOOTSTRAP": broker.bootstrap, "AMBITION_VAR_DIR": str(settings.var_dir),
           "AMBITION_API_PORT": str(ports["api"]), "AMBITION_INGEST_METRICS_PORT": str(ports["ingest"]),
           "AMBITION_PROJECTION_METRICS_PORT": str(ports["projection"]),
           "AMBITION_RELAY_METRICS_PORT": str(ports["relay"]), **extra_env}
    create_topics(broker.bootstrap, load_topics())
    demo_partners(settings)
    platform = LocalPlatform(env, workers=workers, log_dir=base / "log").start()
    try:
        platform.wait_api(f"http://127.0.0.1:{settings.api_port}")
    except Exception as exc:
        dead = platform.dead()
        platform.stop()
        broker.stop()
        tails = {n: (base / "log" / f"{n}.log").read_text(errors="replace")[-1500:] for n in dead}
        raise RuntimeError(f"{exc}; last log lines: {tails}") from exc
    return Running(settings, env, platform, broker)


def arreter(r: Running) -> None:
    # the producers first, while their broker answers: left open, their client threads would
    # go on reconnecting to a stopped broker for the rest of the session
    try:
        for p in r.ouverts:
            p.close(timeout=1.0)
    finally:  # whatever a producer's close raises, the platform and its broker are stopped
        r.platform.stop()
        r.broker.stop()


def producteurs(r: Running) -> dict:
    prods = {c.partner_id: PRODUCERS[c.type](c, settings=r.settings) for c in demo_partners(r.settings)}
    r.ouverts += prods.values()
    return prods


# -- positive signals: "nothing more will happen" is observed, never slept on ---------------

def metrique(port: int, nom: str, **labels: str) -> float:
    """The value of one sample of a worker's /metrics (0 when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name == nom and all(s.labels.get(k) == v for k, v in labels.items()):
                return s.value
    return 0.0


def tout_lu(r: Running, topic: str, group: str) -> bool:
    """True when the consumer group has committed, on every partition of the topic, the offset
    the broker gives as its high watermark: every message there has been processed.

    The high watermark is read from fetch responses, polled until every partition has answered:
    one short poll can return before the broker answers (the check then never succeeds), and
    Tansu's ListOffsets (``end_offsets``) answers a position short of the log end."""
    from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

    admin = KafkaAdminClient(bootstrap_servers=r.settings.bootstrap)
    consumer = KafkaConsumer(bootstrap_servers=r.settings.bootstrap, enable_auto_commit=False,
                             fetch_max_wait_ms=100)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        engages = admin.list_group_offsets({group: parts}).get(group, {})
        fin = {tp: (engages[tp].offset if engages.get(tp) and engages[tp].offset >= 0 else 0) for tp in parts}
        consumer.assign(parts)
        for tp, offset in fin.items():
            consumer.seek(tp, offset)
        # a fetch response carries each partition's high watermark (Tansu's ListOffsets does not
        # give the log end, so end_offsets cannot be used); poll until every partition answered
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(consumer.highwater(tp) is None for tp in parts):
            consumer.poll(timeout_ms=200)
        hautes = {tp.partition: consumer.highwater(tp) for tp in parts}
        if any(h is None for h in hautes.values()):
            return False
        if all(fin[tp] >= hautes[tp.partition] for tp in parts):
            return True
        # Faust records offsets as committed even when the broker refused the commit (a
        # rebalance): the group's offset can then stay behind although every message was
        # decided. The platform writes a receipt with each decision, at the message's offset.
        return recus_couvrent(r, topic, hautes)
    finally:
        consumer.close()
        admin.close()


def recus_couvrent(r: Running, topic: str, hautes: dict[int, int]) -> bool:
    """True when every offset below each partition's high watermark has its receipt."""
    from sqlalchemy import distinct, func, select
    from sqlalchemy.exc import SQLAlchemyError

    from ambition.accuses.registre import accuses
    from ambition.sqlstore import make_engine, sqlalchemy_url

    engine = make_engine(sqlalchemy_url(r.env.get("AMBITION_EVENT_STORE", ""),
                                        r.settings.var_dir / "event-store.sqlite"))
    try:
        with engine.connect() as conn:
            vus = dict(conn.execute(
                select(accuses.c.partition, func.count(distinct(accuses.c.offset)))
                .where(accuses.c.topic == topic).group_by(accuses.c.partition)).all())
    except SQLAlchemyError:  # no receipt table yet: nothing decided
        return False
    finally:
        engine.dispose()
    return all(vus.get(p, 0) >= h for p, h in hautes.items())


def tout_decide_et_projete(r: Running, delai: float = 120) -> None:
    """Wait until the ingest has decided every partner message, the relay has published every
    stored event, and the projection worker has applied every stored one."""
    from attente import jusqua

    topics = r.settings.topics
    for topic in topics.partenaires.values():
        jusqua(lambda: tout_lu(r, topic, "ambition-ingest"), f"the ingest decided all of {topic}", delai, 0.5)
    jusqua(lambda: metrique(r.settings.relay_metrics_port, "ambition_outbox_lag_events") == 0,
           "the relay published every stored event", delai, 0.5)
    jusqua(lambda: vues_a_jour(r), "the projections applied every stored event", delai, 0.5)


def vues_a_jour(r: Running) -> bool:
    """True when every view's position (kept with its rows) has reached the event store's
    last notification: the projections follow the store, not parcours.events."""
    from ambition.bootstrap import make_app
    from ambition.sqlstore import read_engine
    from ambition_projections import generations

    if getattr(r, "_store", None) is None:
        r._store = make_app(r.settings)
    dernier = r._store.recorder.max_notification_id() or 0
    engine = read_engine(r.settings)
    try:
        with engine.connect() as conn:
            positions = generations.positions(conn)
    finally:
        engine.dispose()
    return bool(positions) and min(positions.values()) >= dernier


METRICS_PORT = {"ingest": "AMBITION_INGEST_METRICS_PORT", "projections": "AMBITION_PROJECTION_METRICS_PORT",
                "relay": "AMBITION_RELAY_METRICS_PORT"}


def instance(r: Running, command: str, numero: int = 2) -> tuple[str, int]:
    """Start one more process of a worker (``ingest``, ``projections``: same consumer group,
    same stores) on its own metrics port; returns its name in ``r.platform`` and that port."""
    name, port = f"{command}-{numero}", free_port()
    r.platform.add_instance(name, command, **{METRICS_PORT[command]: str(port)})
    return name, port
