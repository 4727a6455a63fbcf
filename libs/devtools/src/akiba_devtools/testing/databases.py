"""Scratch databases on the stack's PostgreSQL server for harnesses outside pytest (bench, fuzz)."""

from __future__ import annotations

from contextlib import AsyncExitStack
from typing import Any

import asyncpg


async def scratch_database(server: str, name: str, cleanup: AsyncExitStack) -> str:
    """Create a database, dropped when `cleanup` closes; returns its DSN."""
    await _server_sql(server, f'create database "{name}"')
    cleanup.push_async_callback(
        _server_sql, server, f'drop database if exists "{name}" with (force)'
    )
    return f"{server}/{name}"


async def _server_sql(server: str, sql: str) -> None:
    conn: asyncpg.Connection[Any] = await asyncpg.connect(f"{server}/postgres")
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
