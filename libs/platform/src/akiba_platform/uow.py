"""The unit of work: one transaction for the change, its outbox rows and its inbox rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import TracebackType
from typing import Any, Self, cast

import asyncpg
from asyncpg.pool import PoolConnectionProxy
from asyncpg.transaction import Transaction

from akiba_platform.db import Connection
from akiba_platform.idempotency import AsyncpgIdempotencyStore, claim_or_raise, pending_claim
from akiba_platform.outbox import AsyncpgOutbox, OutboxMessage


class UnitOfWork:
    """Services subclass it and build their repositories in `_open` from `self.conn`."""

    conn: Connection

    def __init__(self, pool: asyncpg.Pool[Any] | None) -> None:
        self._pool = pool
        self._messages: list[OutboxMessage] = []
        self._tx: Transaction | None = None

    @classmethod
    def joining(cls, conn: Connection) -> Self:
        """A unit of work inside a transaction its caller owns (a consumer loop's).

        `commit` then only writes the queued events; the owner commits or rolls back.
        """
        uow = cls(None)
        uow.conn = conn
        uow._open()
        return uow

    async def __aenter__(self) -> Self:
        assert self._pool is not None, "a joined unit of work is not entered"
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

    @asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """A nested transaction: if its block raises, its writes and queued events are undone."""
        mark = len(self._messages)
        try:
            async with self.conn.transaction():
                yield
        except BaseException:
            del self._messages[mark:]
            raise

    async def commit(self) -> None:
        """Write the queued events, then commit everything at once (if the transaction is ours).

        In a request carrying an Idempotency-Key, the key is claimed in this transaction
        first: if another request recorded it already, KeyAlreadyClaimed rolls this one back.
        """
        claim = pending_claim() if self._tx is not None else None
        if claim is not None:
            await claim_or_raise(AsyncpgIdempotencyStore(self.conn), claim)
        await AsyncpgOutbox(self.conn).put(self._messages)
        self._messages.clear()
        if self._tx is not None:
            await self._tx.commit()
            self._tx = None
            if claim is not None:
                claim.recorded = True

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        assert self._pool is not None
        try:
            if self._tx is not None:
                await self._tx.rollback()
        finally:
            self._tx = None
            await self._pool.release(cast("PoolConnectionProxy[Any]", self.conn))
