"""The service's relay and projector roles, run as tasks inside the bench process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager

from aiokafka import AIOKafkaConsumer

from akiba_inventory import projector
from akiba_inventory.bootstrap import relay_role
from akiba_inventory.settings import Settings
from akiba_platform import kafka
from akiba_platform.consumer import ConsumerLoop
from akiba_platform.db import create_pool

Role = Callable[[asyncio.Event], Awaitable[None]]


class Running:
    """A role's task and its stop switch; `check` surfaces a crash at once instead of a timeout."""

    def __init__(self, role: Role) -> None:
        self.stop = asyncio.Event()
        self.task: asyncio.Future[None] = asyncio.ensure_future(role(self.stop))

    def check(self) -> None:
        """Raise the role's error if it has ended."""
        if self.task.done():
            self.task.result()
            raise RuntimeError("a role ended before it was stopped")

    async def close(self) -> None:
        """Stop the role and wait for it to leave cleanly."""
        self.stop.set()
        await asyncio.wait_for(self.task, 30)


@asynccontextmanager
async def running(role: Role) -> AsyncIterator[Running]:
    """Run a role for the duration of the block."""
    r = Running(role)
    try:
        yield r
    finally:
        await r.close()


def relay(settings: Settings) -> Role:
    """Exactly inventory's relay role: its pool, producer and batch settings."""
    return relay_role(settings)


class Projector:
    """Inventory's projector role, subscribed to a bench topic under a fresh consumer group."""

    def __init__(self, settings: Settings, topic: str) -> None:
        self._settings = settings
        self._topic = topic
        self.consumer: AIOKafkaConsumer | None = None

    async def __call__(self, stop: asyncio.Event) -> None:
        """The body of bootstrap.projector_role with the topic and group swapped."""
        s = self._settings
        async with AsyncExitStack() as stack:
            pool = await create_pool(s.database_url, max_size=s.db_pool_max)
            stack.push_async_callback(pool.close)
            producer = kafka.producer(s.kafka_bootstrap_servers)
            await producer.start()
            stack.push_async_callback(producer.stop)
            group = f"{projector.NAME}.bench.{uuid.uuid4().hex[:8]}"
            self.consumer = kafka.consumer(s.kafka_bootstrap_servers, group)
            await self.consumer.start()
            stack.push_async_callback(self.consumer.stop)
            loop = ConsumerLoop(
                name=projector.NAME,
                consumer=self.consumer,
                topics=[self._topic],
                pool=pool,
                handler=projector.project,
                dlq_producer=producer,
            )
            await loop.run(stop, batch_size=s.consumer_batch_size)

    def assigned(self, partitions: int) -> bool:
        """Whether the group has handed this member every partition."""
        return self.consumer is not None and len(self.consumer.assignment()) == partitions
