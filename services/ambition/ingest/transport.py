"""A Faust transport whose consumer's fetch wait is configurable.

faust-streaming 0.15.3 builds its aiokafka consumer with a fixed `fetch_max_wait_ms=1500`. A
broker may hold a fetch that long even when records are waiting (the embedded Tansu broker
does: measured, it put ~0.5 s on every fact's way to the views), so the processor's latency
rested on a constant nobody chose. The value only bounds how long an idle fetch waits.
"""
from __future__ import annotations

import faust
from faust.transport.drivers import aiokafka as faust_aiokafka


class _ConsumerThread(faust_aiokafka.AIOKafkaConsumerThread):
    def _create_worker_consumer(self, transport):
        consumer = super()._create_worker_consumer(transport)
        # read by AIOKafkaConsumer.start() when it builds its Fetcher
        consumer._fetch_max_wait_ms = self.app.ambition_fetch_max_wait_ms
        return consumer


class _Consumer(faust_aiokafka.Consumer):
    def _new_consumer_thread(self):
        return _ConsumerThread(self, loop=self.loop, beacon=self.beacon)


class _Transport(faust_aiokafka.Transport):
    Consumer = _Consumer


class App(faust.App):
    """faust.App with the fetch wait of `fetch_max_wait_ms` (milliseconds)."""

    def __init__(self, *args, fetch_max_wait_ms: int = 100, **kwargs):
        self.ambition_fetch_max_wait_ms = fetch_max_wait_ms
        super().__init__(*args, **kwargs)

    def _new_transport(self):
        return _Transport(self.conf.broker_consumer, self)
