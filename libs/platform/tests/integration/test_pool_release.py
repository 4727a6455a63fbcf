"""A connection goes back to the pool rolled back, without the session reset's extra round trip."""

from __future__ import annotations

import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool

pytestmark = pytest.mark.stack


async def test_work_left_uncommitted_is_rolled_back_when_the_connection_is_released(
    databases: Databases,
) -> None:
    pool = await create_pool(await databases.create(), min_size=1, max_size=1)
    try:
        await pool.execute("create table notes (n int)")
        async with pool.acquire() as conn:
            tx = conn.transaction()
            await tx.start()
            await conn.execute("insert into notes values (1)")
        async with pool.acquire() as conn:  # the same connection: the pool holds one
            assert not conn.is_in_transaction()
            assert await conn.fetchval("select count(*) from notes") == 0
    finally:
        await pool.close()


async def test_releasing_a_connection_sends_no_reset_statement(databases: Databases) -> None:
    pool = await create_pool(await databases.create(), min_size=1, max_size=1)
    try:
        async with pool.acquire() as conn:
            before = conn._con._protocol.queries_count  # type: ignore[attr-defined]
        async with pool.acquire() as conn:
            after = conn._con._protocol.queries_count  # type: ignore[attr-defined]
        assert after == before
    finally:
        await pool.close()
