"""One behaviour suite for the outbox and inbox, run against the fakes and against PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import asyncpg
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.inbox import AsyncpgInbox, Inbox
from akiba_platform.outbox import AsyncpgOutbox, Outbox, OutboxMessage
from akiba_platform.testing import FakeInbox, FakeOutbox

from ..conftest import message


@dataclass
class Store:
    """An outbox and inbox with a way to commit or roll back what was written."""

    outbox: Outbox
    inbox: Inbox
    commit: Any
    rollback: Any


class _Tx:
    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self.pool = pool
        self.conn: asyncpg.Connection[Any] | None = None
        self.tx: Any = None

    async def begin(self) -> asyncpg.Connection[Any]:
        self.conn = await self.pool.acquire()
        self.tx = self.conn.transaction()
        await self.tx.start()
        return self.conn

    async def end(self, commit: bool) -> None:
        assert self.conn is not None
        await (self.tx.commit() if commit else self.tx.rollback())
        await self.pool.release(self.conn)


@pytest.fixture(params=["fake", "postgres"])
async def store(request: pytest.FixtureRequest, databases: Databases) -> AsyncIterator[Store]:
    """The same suite on both implementations."""
    if request.param == "fake":
        outbox = FakeOutbox()
        inbox = FakeInbox()
        seen: dict[Any, bool] = {}

        async def commit() -> None:
            outbox.commit()
            seen.update(inbox.seen)

        async def rollback() -> None:
            outbox.rollback()
            inbox.seen = dict(seen)

        yield Store(outbox, inbox, commit, rollback)
        return
    pool = await create_pool(await databases.create())
    tx = _Tx(pool)
    conn = await tx.begin()
    holder = Store(AsyncpgOutbox(conn), AsyncpgInbox(conn), None, None)

    async def finish(commit: bool) -> None:
        await tx.end(commit)
        new = await tx.begin()
        holder.outbox, holder.inbox = AsyncpgOutbox(new), AsyncpgInbox(new)

    async def do_commit() -> None:
        await finish(True)

    async def do_rollback() -> None:
        await finish(False)

    holder.commit, holder.rollback = do_commit, do_rollback
    yield holder
    await tx.end(False)
    await pool.close()


def _msgs(n: int) -> list[OutboxMessage]:
    return [message(n=i) for i in range(n)]


async def test_committed_messages_are_pending_in_the_order_they_were_put(store: Store) -> None:
    sent = _msgs(20)
    await store.outbox.put(sent)
    await store.commit()
    pending = await store.outbox.pending(100)
    assert [p.event_id for p in pending] == [uuid_of(m) for m in sent]


async def test_rolled_back_messages_are_never_pending(store: Store) -> None:
    await store.outbox.put(_msgs(3))
    await store.rollback()
    assert await store.outbox.pending(100) == []


async def test_published_messages_are_no_longer_pending(store: Store) -> None:
    await store.outbox.put(_msgs(5))
    await store.commit()
    first = await store.outbox.pending(2)
    await store.outbox.mark_published([p.id for p in first])
    await store.commit()
    rest = await store.outbox.pending(100)
    assert len(first) == 2 and len(rest) == 3
    assert not {p.id for p in first} & {p.id for p in rest}


async def test_messages_in_flight_are_left_out_and_the_next_ones_read_in_order(
    store: Store,
) -> None:
    await store.outbox.put(_msgs(6))
    await store.commit()
    every = [p.id for p in await store.outbox.pending(100)]
    in_flight = [every[0], every[2], every[3]]
    after = await store.outbox.pending(2, excluding=in_flight)
    assert [p.id for p in after] == [every[1], every[4]]
    assert [p.id for p in await store.outbox.pending(100, excluding=every)] == []


async def test_pending_honours_the_limit(store: Store) -> None:
    await store.outbox.put(_msgs(30))
    await store.commit()
    assert len(await store.outbox.pending(7)) == 7


async def test_an_event_is_claimed_once_per_consumer(store: Store) -> None:
    a, b = uuid4(), uuid4()
    assert await store.inbox.claim("c1", [a, b]) == {a, b}
    await store.commit()
    assert await store.inbox.claim("c1", [a, b]) == set()
    assert await store.inbox.claim("c2", [a]) == {a}


async def test_a_claim_in_a_rolled_back_transaction_is_forgotten(store: Store) -> None:
    a = uuid4()
    assert await store.inbox.claim("c", [a]) == {a}
    await store.rollback()
    assert await store.inbox.claim("c", [a]) == {a}


async def test_a_dead_lettered_event_is_not_claimed_again(store: Store) -> None:
    a = uuid4()
    await store.inbox.dead_letter("c", a)
    await store.commit()
    assert await store.inbox.claim("c", [a]) == set()


def uuid_of(m: OutboxMessage) -> Any:
    """The event id of a message, as the outbox reports it."""
    from uuid import UUID

    return UUID(m.event.id)
