"""One edge-ingest instance as its own process.

Usage: `python -m bench.ingest_worker <topic> <group>` (who writes which store is already in
the database, as the ingest role reads it from auth.sites).

Inventory's `EdgeIngestor` under the platform's consumer loop, like the ingest role, on a bench
topic and group (settings from the environment, as a service reads them). Several of these in
one group are the service scaled out; each prints `assigned <n>` whenever its share changes.
"""

from __future__ import annotations

import asyncio
import signal
import sys

from aiokafka import AIOKafkaConsumer

from akiba_inventory.bootstrap import pool_and_producer
from akiba_inventory.consumers import edge
from akiba_inventory.settings import Settings
from akiba_platform.consumer import consumer_loop
from akiba_platform.runtime import tune_gc
from akiba_platform.services import run_async


async def main(topic: str, group: str) -> None:
    """Consume until SIGTERM."""
    settings = Settings()
    tune_gc()  # as run_roles does for every service process
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    async with (
        pool_and_producer(settings) as (pool, producer),
        consumer_loop(
            settings.kafka_bootstrap_servers, name=edge.NAME, topics=[topic], pool=pool,
            handler=edge.EdgeIngestor(), dlq_producer=producer, group=group,
            envelope=edge.SiteEvent,
        ) as loop,
    ):  # fmt: skip
        reporter = asyncio.create_task(_report_assignment(loop.consumer, stop))
        await loop.run(stop, batch_size=settings.consumer_batch_size)
        await reporter


async def _report_assignment(consumer: AIOKafkaConsumer, stop: asyncio.Event) -> None:
    last = -1
    while not stop.is_set():
        n = len(consumer.assignment())
        if n != last:
            print(f"assigned {n}", flush=True)
            last = n
        await asyncio.sleep(0.05)


if __name__ == "__main__":
    run_async(main(sys.argv[1], sys.argv[2]))
