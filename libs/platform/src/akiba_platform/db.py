"""The asyncpg pool every service uses."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import asyncpg
import orjson
from asyncpg.pool import PoolConnectionProxy

from akiba_platform.settings import ServiceSettings

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


async def _rolled_back_is_enough(conn: asyncpg.Connection[Any]) -> None:
    """Nothing more to undo when a connection goes back to the pool.

    asyncpg rolls back an open transaction before calling this. Its default reset would then
    send `RESET ALL; UNLISTEN *; CLOSE ALL; pg_advisory_unlock_all()`: one more round trip
    per request (a tenth of a receipt's), for session state our code never leaves behind.
    The one session lock taken on a pooled connection, the relay leader's, is released
    explicitly, and its connection closed should that fail.
    """


async def create_pool(
    dsn: str, *, min_size: int = 2, max_size: int = 10, application_name: str = ""
) -> asyncpg.Pool[Any]:
    """Open a pool whose connections speak jsonb as Python objects.

    `application_name` names its sessions in pg_stat_activity (which replica holds a lock).
    """
    server_settings = {"application_name": application_name} if application_name else None
    pool = await asyncpg.create_pool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        init=_init_connection,
        reset=_rolled_back_is_enough,
        command_timeout=60,
        server_settings=server_settings,
    )
    assert pool is not None
    return pool


@asynccontextmanager
async def open_pool(settings: ServiceSettings) -> AsyncIterator[asyncpg.Pool[Any]]:
    """A pool sized by the settings, closed on exit."""
    pool = await create_pool(
        settings.database_url,
        min_size=settings.db_pool_min,
        max_size=settings.db_pool_max,
        application_name=settings.instance_name or settings.service_name,
    )
    try:
        yield pool
    finally:
        await pool.close()
