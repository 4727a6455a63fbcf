"""The unit of work: one transaction for the change, its outbox rows and its inbox rows."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from akiba_platform.outbox import AsyncpgOutbox, OutboxMessage


class UnitOfWork:
    """Services subclass it and build their repositories in `_open` from `self.conn`."""

    conn: PoolConnectionProxy[Any]

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self._pool = pool
        self._messages: list[OutboxMessage] = []
        self._tx: Transaction | None = None

    async def __aenter__(self) -> Self:
        self.conn = await self._pool.acquire()
        self._tx = self.conn.transaction()
        await self._tx.start()
        self._open()
        return self

    def _open(self) -> None:
        """Build repositories on `self.conn` (subclasses)."""

    def publish(self, *messages: OutboxMessage) -> None:
        """Queue events to be written to the outbox when the work commits."""
        self._messages.extend(messages)

    async def commit(self) -> None:
        """Write the queued events and commit everything at once."""
        assert self._tx is not None
        await AsyncpgOutbox(self.conn).put(self._messages)
        self._messages.clear()
        await self._tx.commit()
        self._tx = None

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            if self._tx is not None:
                await self._tx.rollback()
        finally:
            self._tx = None
            await self._pool.release(self.conn)
