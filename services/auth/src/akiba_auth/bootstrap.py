"""The one place that names concrete classes and wires a process's roles."""

from __future__ import annotations

import asyncio
from pathlib import Path

from akiba_auth.api.app import create_app
from akiba_auth.handlers.keys import ensure_key
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.catalogue import all_topics
from akiba_platform import kafka
from akiba_platform.db import create_pool
from akiba_platform.migrations import migrate
from akiba_platform.relay import OutboxRelay
from akiba_platform.runtime import Role, api_role
from akiba_platform.services import ServiceSpec

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
ROLES = ("api", "relay")
SERVICE = ServiceSpec(name="auth", module="akiba_auth", http_port=8104, database="auth")


async def prepare(settings: Settings) -> None:
    """Migrate, create the catalogue's topics and make sure a signing key exists (idempotent)."""
    await migrate(settings.database_url, {"auth": MIGRATIONS})
    await kafka.ensure_topics(settings.kafka_bootstrap_servers, all_topics())
    pool = await create_pool(settings.database_url, min_size=1, max_size=2)
    try:
        await ensure_key(AuthUnitOfWork(pool), settings.key_secret())
    finally:
        await pool.close()


def relay_role(settings: Settings) -> Role:
    """Publish the outbox: permissions, sites and signing keys."""

    async def run(stop: asyncio.Event) -> None:
        pool = await create_pool(settings.database_url, max_size=settings.db_pool_max)
        producer = kafka.producer(settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            relay = OutboxRelay(
                pool,
                producer,
                batch_size=settings.relay_batch_size,
                idle_seconds=settings.relay_idle_seconds,
                new_producer=lambda: kafka.producer(settings.kafka_bootstrap_servers),
            )
            await relay.run(stop)
        finally:
            await producer.stop()
            await pool.close()

    return run


def roles(settings: Settings, names: list[str]) -> dict[str, Role]:
    """The roles this process runs."""
    build = {
        "api": lambda: api_role(
            create_app(settings),
            settings.http_host,
            settings.http_port,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        ),
        "relay": lambda: relay_role(settings),
    }
    unknown = set(names) - set(build)
    if unknown:
        raise SystemExit(f"unknown roles: {', '.join(sorted(unknown))}; choose from {ROLES}")
    return {n: build[n]() for n in names}
