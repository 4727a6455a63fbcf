"""The service's relay and projector roles, run as tasks inside the bench process."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from akiba_contracts.envelope import CloudEvent
from akiba_inventory.bootstrap import pool_and_producer
from akiba_inventory.consumers import projector
from akiba_inventory.settings import Settings
from akiba_platform.consumer import BatchHandler, ConsumerLoop, consumer_loop
from akiba_platform.relay import relay_role

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


class BenchConsumer:
    """A service's consumer role on a bench topic, under a fresh group but its real name."""

    def __init__(
        self,
        settings: Settings,
        topic: str,
        name: str,
        handler: BatchHandler,
        batch_size: int | None = None,
        envelope: type[CloudEvent] = CloudEvent,
    ) -> None:
        self._settings = settings
        self._envelope = envelope
        self._batch_size = batch_size or settings.consumer_batch_size
        self._topic = topic
        self._name = name
        self._handler = handler
        self.loop: ConsumerLoop | None = None

    async def __call__(self, stop: asyncio.Event) -> None:
        """Run the platform's consumer loop as the service's bootstrap does."""
        s = self._settings
        async with (
            pool_and_producer(s) as (pool, producer),
            consumer_loop(
                s.kafka_bootstrap_servers,
                name=self._name,
                topics=[self._topic],
                pool=pool,
                handler=self._handler,
                dlq_producer=producer,
                group=f"{self._name}.bench.{uuid.uuid4().hex[:8]}",
                envelope=self._envelope,
            ) as loop,
        ):
            self.loop = loop
            await loop.run(stop, batch_size=self._batch_size)

    def assigned(self, partitions: int) -> bool:
        """Whether the group has handed this member every partition."""
        return self.loop is not None and len(self.loop.consumer.assignment()) == partitions


def projector_on(settings: Settings, topic: str) -> BenchConsumer:
    """Inventory's projector on a bench topic, polling as its role does."""
    return BenchConsumer(
        settings,
        topic,
        projector.NAME,
        projector.project,
        projector.BATCH_SIZE,
        projector.MovementEvent,
    )
