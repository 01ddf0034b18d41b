"""The Faust app of the parcours processor: partner topics in, rejected topic out.

The agent holds no rule: it batches, hands the batch to the Processor off the event loop (the
event store is synchronous), sends the refusals, counts. Offsets are acknowledged only after
the batch is stored and its refusals are sent: at-least-once, and the aggregate deduplicates.
"""
from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor

import faust

from ambition import metrics
from ambition.config import Settings

from .processor import Incoming, Processor

log = logging.getLogger(__name__)
settings = Settings()
topics = settings.topics

app = faust.App(
    "ambition-ingest",
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

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="parcours-store")
_processor: Processor | None = None


def processor() -> Processor:
    global _processor
    if _processor is None:
        from ambition.contracts.codec import Registry
        from ambition.contracts.partners import PartnerDirectory
        from ambition.parcours import make_app

        _processor = Processor(settings, make_app(settings), Registry.load(settings.schemas_dir),
                               PartnerDirectory.load(settings))
    return _processor


@app.agent(partner_topic)
async def traiter(stream):
    loop = asyncio.get_running_loop()
    async for events in stream.take_events(settings.batch_size, within=0.2):
        batch = [Incoming(e.message.topic, e.message.partition, e.message.offset,
                          e.message.key, e.message.value, list(e.message.headers or []))
                 for e in events]
        started = time.perf_counter()
        outcomes = await loop.run_in_executor(_executor, processor().handle, batch)
        sends = [await rejets_topic.send(key=o.incoming.key, value=o.rejet,
                                         headers=[("ambition-reason", o.reason.encode())])
                 for o in outcomes if o.rejet is not None]
        for fut in sends:
            await fut
        metrics.PROCESSING_SECONDS.observe(time.perf_counter() - started)
        metrics.BATCH_SIZE.observe(len(batch))


def main() -> None:
    from faust.worker import Worker

    processor()  # open the store and load schemas before joining the group
    metrics.serve(settings.ingest_metrics_port)
    log.info("ingest metrics on http://127.0.0.1:%s/metrics", settings.ingest_metrics_port)
    Worker(app, loglevel="info").execute_from_commandline()
