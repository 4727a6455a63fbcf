"""The PostgreSQL idempotency store: the stores' behaviour suite, and concurrent claims."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import asyncpg
import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.idempotency import AsyncpgIdempotencyStore, Claim
from akiba_platform.testing.idempotency_behaviour import *  # noqa: F403
from akiba_platform.testing.idempotency_behaviour import a_claim


class PostgresHarness:
    """The store on a pool; claims on a transaction's connection, as the unit of work does."""

    def __init__(self, pool: asyncpg.Pool[Any]) -> None:
        self.pool = pool
        self.store = AsyncpgIdempotencyStore(pool)

    async def claim(self, claim: Claim, *, commit: bool) -> bool:
        async with self.pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            claimed = await AsyncpgIdempotencyStore(conn).claim(claim)
            await (tx.commit() if commit else tx.rollback())
        return claimed

    async def age(self, by: timedelta) -> None:
        await self.pool.execute(
            "update idempotency_keys set created_at = created_at - $1::interval", by
        )


@pytest.fixture
async def idempotency(databases: Databases) -> AsyncIterator[PostgresHarness]:
    pool = await create_pool(await databases.create())
    yield PostgresHarness(pool)
    await pool.close()


async def test_a_concurrent_claim_waits_for_the_first_and_loses_if_it_commits(
    idempotency: PostgresHarness,
) -> None:
    c = a_claim()
    async with idempotency.pool.acquire() as first:
        tx = first.transaction()
        await tx.start()
        assert await AsyncpgIdempotencyStore(first).claim(c)
        second = asyncio.create_task(idempotency.claim(a_claim(key=c.key), commit=True))
        await asyncio.sleep(0.2)
        assert not second.done(), "the second claim must wait for the first transaction"
        await tx.commit()
    assert await second is False


async def test_a_concurrent_claim_wins_if_the_first_rolls_back(
    idempotency: PostgresHarness,
) -> None:
    c = a_claim()
    async with idempotency.pool.acquire() as first:
        tx = first.transaction()
        await tx.start()
        assert await AsyncpgIdempotencyStore(first).claim(c)
        second = asyncio.create_task(idempotency.claim(a_claim(key=c.key), commit=True))
        await asyncio.sleep(0.2)
        await tx.rollback()
    assert await second is True
