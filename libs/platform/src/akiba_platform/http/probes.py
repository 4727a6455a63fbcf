"""Readiness probes: can this process reach what it needs?"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import asyncpg
from aiokafka import AIOKafkaClient

from akiba_platform import kafka


@dataclass(frozen=True)
class Probe:
    """A named check that raises when its dependency is unreachable."""

    name: str
    check: Callable[[], Awaitable[None]]


def database_probe(pool: asyncpg.Pool[Any]) -> Probe:
    """The service's database answers a query."""

    async def check() -> None:
        await pool.fetchval("select 1", timeout=2)

    return Probe("database", check)


def kafka_probe(bootstrap: str) -> Probe:
    """A broker answers a metadata request."""

    async def check() -> None:
        client = AIOKafkaClient(
            bootstrap_servers=bootstrap, request_timeout_ms=2000, **kafka.options()
        )
        try:
            await asyncio.wait_for(client.bootstrap(), 3)
        finally:
            await client.close()

    return Probe("kafka", check)


async def run_probes(probes: list[Probe]) -> dict[str, str]:
    """Each probe's result: "ok" or the error."""
    results = await asyncio.gather(*(p.check() for p in probes), return_exceptions=True)
    return {
        p.name: "ok" if r is None else f"{type(r).__name__}: {r}"
        for p, r in zip(probes, results, strict=True)
    }
