"""The pytest plugin: a session-scoped real stack and per-test isolation helpers."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic

from akiba_devtools import stack as local_stack
from akiba_platform.migrations import migrate


class Databases:
    """Creates throw-away databases on the stack's server and drops them at the end."""

    def __init__(self, server_url: str) -> None:
        self._server = server_url
        self.created: list[str] = []

    async def create(self, migrations: dict[str, Path] | None = None) -> str:
        """A new empty database (migrated when folders are given); returns its DSN."""
        name = f"akiba_t_{uuid.uuid4().hex[:12]}"
        conn: asyncpg.Connection[Any] = await asyncpg.connect(f"{self._server}/postgres")
        try:
            await conn.execute(f'create database "{name}"')
        finally:
            await conn.close()
        self.created.append(name)
        dsn = f"{self._server}/{name}"
        await migrate(dsn, migrations or {})
        return dsn

    async def drop_all(self) -> None:
        """Drop every database this session created."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(f"{self._server}/postgres")
        try:
            for name in self.created:
                await conn.execute(f'drop database if exists "{name}" with (force)')
        finally:
            await conn.close()


class Topics:
    """Creates uniquely named topics (and their dead-letter twins) for one test."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap

    async def create(self, prefix: str = "test", partitions: int = 3) -> str:
        """A new topic and its `.dlq`; returns the topic's name."""
        name = f"{prefix}.{uuid.uuid4().hex[:10]}"
        admin = AIOKafkaAdminClient(bootstrap_servers=self.bootstrap)
        await admin.start()
        try:
            await admin.create_topics(
                [NewTopic(name, partitions, 1), NewTopic(f"{name}.dlq", 1, 1)]
            )
        finally:
            await admin.close()
        return name


@pytest.fixture(scope="session")
def stack() -> Iterator[local_stack.StackEndpoints]:
    """The real PostgreSQL and Kafka, started once (or found running)."""
    yield local_stack.up()


@pytest.fixture(scope="session")
def kafka_bootstrap(stack: local_stack.StackEndpoints) -> str:
    """Bootstrap servers of the real broker."""
    return stack.kafka_bootstrap


@pytest.fixture(scope="session")
async def databases(stack: local_stack.StackEndpoints) -> AsyncIterator[Databases]:
    """Factory of throw-away databases on the real server."""
    dbs = Databases(stack.pg_url)
    yield dbs
    await dbs.drop_all()


@pytest.fixture(scope="session")
def topics(kafka_bootstrap: str) -> Topics:
    """Factory of uniquely named topics on the real broker."""
    return Topics(kafka_bootstrap)


@pytest.fixture
async def platform_db(databases: Databases) -> AsyncIterator[asyncpg.Pool[Any]]:
    """A pool on a fresh database holding only the platform's tables."""
    from akiba_platform.db import create_pool

    pool = await create_pool(await databases.create(), max_size=20)
    yield pool
    await pool.close()
