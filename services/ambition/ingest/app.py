"""The Faust app of the parcours processor: partner topics in, rejected topic out.

The agent holds no rule: it batches, hands the batch to the Processor off the event loop (the
event store is synchronous), sends the refusals, counts; the receipts are published by a task
of their own (``Publieur``) while the next batch is decided. The Processor stores the accepted
facts, writes a receipt for every decision, parks the facts of unknown parcours and writes the refusals durably before returning;
only then are the offsets acknowledged. The agent body never raises: Faust's ``take_events``
acknowledges a batch even when its consumer fails, so a failure is retried here instead, and
a refusal the broker did not take stays in the parking table for the sweep to send.
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

from ambition import metrics
from ambition.accuses import registre
from ambition.accuses.publication import Publieur
from ambition.config import Settings
from ambition.reconnect import Outage, retrying, unavailable

from .messages import Incoming
from .processor import Processor
from .transport import App

log = logging.getLogger(__name__)
settings = Settings()
topics = settings.topics

app = App(
    "ambition-ingest",
    fetch_max_wait_ms=settings.fetch_max_wait_ms,
    broker=f"kafka://{settings.bootstrap}",
    key_serializer="raw",
    value_serializer="raw",
    topic_partitions=topics.partitions,
    topic_allow_declare=False,
    consumer_auto_offset_reset="earliest",
    broker_session_timeout=float(settings.session_timeout),
    broker_heartbeat_interval=float(settings.heartbeat_interval),
    web_enabled=False,
    datadir=str(settings.var_dir / "faust"),
    store="memory://",
)

partner_topic = app.topic(topics.lycee, topics.missionlocale, topics.foquale,
                          key_type=bytes, value_type=bytes)
rejets_topic = app.topic(topics.rejets, key_type=bytes, value_type=bytes)
accuses_topic = app.topic(topics.accuses, key_type=bytes, value_type=bytes)

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parcours-store")
_processor: Processor | None = None


def processor() -> Processor:
    global _processor
    if _processor is None:
        from ambition.contracts.codec import Registry
        from ambition.contracts.partners import PartnerDirectory
        from ambition.bootstrap import make_app

        from .lecture import lecteur

        registry, partners = Registry.load(settings.schemas_dir), PartnerDirectory.load(settings)
        store = make_app(settings)
        try:
            _processor = Processor(settings, store, registry, partners,
                                   lecteur=lecteur(settings, registry, partners))
        except Exception:  # a store away at start: tried again whole, this one's pool closed
            store.close()
            raise
    return _processor


_outage = Outage("evenements")


async def _off_loop(fn, *args):
    """Run store work in the executor until it succeeds (never drops a batch); a store that
    does not answer is waited for with a bounded back-off and shown in the metrics."""
    loop, pause = asyncio.get_running_loop(), 0.5
    while True:
        try:
            result = await loop.run_in_executor(_executor, fn, *args)
        except Exception as exc:
            if unavailable(exc):
                await asyncio.sleep(_outage.wait(exc))
                continue
            log.exception("%s failed; retrying in %.1f s", getattr(fn, "__name__", fn), pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, 10.0)
            continue
        _outage.ok()
        return result


async def _envoyer(envois) -> None:
    """Send the documents to the rejected topic, then release those the broker acknowledged.
    The others stay in the parking table: the next sweep sends them."""
    envoyes, futures = [], []
    try:
        for e in envois:
            futures.append((e, await rejets_topic.send(
                key=e.key, value=e.document, headers=[("ambition-reason", e.reason.encode())])))
    except Exception:
        log.exception("the rejected topic did not take a document; the sweep will resend it")
    for e, fut in futures:
        try:
            await fut
            envoyes.append(e)
        except Exception:
            log.exception("the rejected topic did not acknowledge a document; the sweep will resend it")
    metrics.REJECTED_UNSENT.set(len(envois) - len(envoyes))
    if envoyes:
        await _off_loop(processor().liberer, envoyes)


_recus = Publieur(accuses_topic, lambda: processor().attente.engine, _off_loop)


@app.agent(partner_topic)
async def traiter(stream):
    async for events in stream.take_events(settings.batch_size, within=settings.batch_wait):
        batch = [Incoming(e.message.topic, e.message.partition, e.message.offset,
                          e.message.key, e.message.value, list(e.message.headers or []))
                 for e in events]
        started = time.perf_counter()
        lot = await _off_loop(processor().handle, batch)
        await _envoyer(lot.envois)
        _recus.signaler()  # published beside the next batches
        metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
        metrics.BATCH_SIZE.observe(len(batch))


@app.on_partitions_assigned.connect
async def _partitions_assignees(app, assigned, **kwargs) -> None:
    """Show how many partner partitions this processor holds after each rebalance (the whole
    new assignment is given; a topic it lost shows 0)."""
    for topic in (topics.lycee, topics.missionlocale, topics.foquale):
        metrics.PARTITIONS_ASSIGNED.labels(topic).set(sum(1 for tp in assigned if tp.topic == topic))


@app.timer(interval=settings.parking_sweep)
async def balayer():
    """Replay parked facts whose parcours now exists, refuse the orphans, resend what is left."""
    envois = await _off_loop(processor().balayer)
    await _envoyer(envois)
    await _recus.publier()
    if settings.accuses_retention_days > 0:
        avant = datetime.now(timezone.utc) - timedelta(days=settings.accuses_retention_days)
        await _off_loop(registre.purger, processor().attente.engine, avant)


def main() -> None:
    from faust.worker import Worker

    metrics.serve(settings.ingest_metrics_port)
    # open the store and load schemas before joining the group; a store away at start is waited
    # for like one away later (a worker restarted during a PostgreSQL restart must not exit)
    retrying(processor, _outage)
    log.info("ingest metrics on http://127.0.0.1:%s/metrics", settings.ingest_metrics_port)
    Worker(app, loglevel="info").execute_from_commandline()
