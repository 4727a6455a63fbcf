"""The asyncpg pool every service uses."""

from __future__ import annotations

from typing import Any, TypeAlias

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

# What handlers and adapters accept: a plain connection or one lent by a pool.
Connection: TypeAlias = "asyncpg.Connection[Any] | PoolConnectionProxy[Any]"


async def _init_connection(conn: asyncpg.Connection[Any]) -> None:
    # orjson instead of the stdlib json: jsonb columns sit on hot paths.
    await conn.set_type_codec(
        "jsonb",
        encoder=lambda v: orjson.dumps(v).decode(),
        decoder=orjson.loads,
        schema="pg_catalog",
    )


async def create_pool(dsn: str, *, min_size: int = 2, max_size: int = 10) -> asyncpg.Pool[Any]:
    """Open a pool whose connections speak jsonb as Python objects."""
    pool = await asyncpg.create_pool(
        dsn, min_size=min_size, max_size=max_size, init=_init_connection, command_timeout=60
    )
    assert pool is not None
    return pool
