"""Central services as `akiba run --instances 2` starts them: two processes of each, every role
in both, on databases and consumer groups of their own."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from aiokafka.admin import AIOKafkaAdminClient

from akiba_devtools.discovery import discover, roles_of
from akiba_devtools.scale import Instance, Scale, instances, metrics_ports
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_fulfillment.consumers import orders, stock
from akiba_fulfillment.consumers import sites as fulfillment_sites
from akiba_inventory.consumers import alerting, edge, projector, shipments
from akiba_requisition.consumers import ledger, read_models
from akiba_requisition.consumers import sites as requisition_sites
from akiba_sync_hub import feed
from tests.e2e.conftest import free_port
from tests.scale.observe import Holders, applying, members, relay_leader

# Every consumer each service runs (its groups start at the topics' end, as a new deployment's
# would); the test fails if a service runs a group not named here.
CONSUMERS = {
    "inventory": (projector.NAME, edge.NAME, alerting.NAME, shipments.NAME),
    "requisition": (read_models.NAME, ledger.NAME, requisition_sites.NAME),
    "fulfillment": (orders.NAME, stock.NAME, fulfillment_sites.NAME),
    "sync-hub": (feed.NAME,),
}


@dataclass
class Replicas:
    """One service's processes, its database and its consumer groups."""

    name: str
    dsn: str
    plan: list[Instance]
    processes: dict[str, ServiceProcess]
    groups: list[str]
    bootstrap: str

    @property
    def urls(self) -> list[str]:
        return [p.url for p in self.plan if p.url]

    @property
    def has_relay(self) -> bool:
        return all("relay" in p.roles for p in self.plan)

    def survivor_of(self, victim: str) -> str:
        (survivor,) = (p.name for p in self.plan if p.name != victim)
        return survivor

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    async def count(self, rows: str, *args: Any) -> int:
        """`select count(*) from <rows>`."""
        n: int = (await self.fetch(f"select count(*) from {rows}", *args))[0][0]
        return n

    async def holders(self) -> dict[str, Holders]:
        """Each of its consumer groups' members (instance names) and their partitions."""
        return {g: await members(self.bootstrap, g) for g in self.groups}

    async def shared(self) -> bool:
        """Both instances are members of every group, each with partitions."""
        names = {p.name for p in self.plan}
        return all(set(h) == names and all(h.values()) for h in (await self.holders()).values())

    async def moved_to(self, survivor: str) -> bool:
        return all(set(h) == {survivor} for h in (await self.holders()).values())

    async def ready(self) -> None:
        for url in self.urls:
            await wait_until(lambda u=url: _ready(u), timeout=120, what=f"{url}/ready")

    async def leader(self) -> str | None:
        return await relay_leader(self.dsn)

    async def kill_while_applying(self, victim: str) -> str:
        """SIGKILL `victim` the moment one of its consumers has a batch's transaction open."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            deadline = time.monotonic() + 30
            while (query := await applying(conn, victim)) is None:
                assert time.monotonic() < deadline, f"{victim} never seen applying a batch"
            self.processes[victim].kill()
            return query
        finally:
            await conn.close()

    def stop(self) -> None:
        for proc in self.processes.values():
            proc.stop()


async def _ready(url: str) -> bool:
    async with httpx.AsyncClient() as c:
        try:
            return (await c.get(f"{url}/ready")).status_code == 200
        except httpx.TransportError:
            return False


async def replicas(
    service: str,
    databases: Databases,
    bootstrap: str,
    prefix: str,
    logs: Path,
    migrations: dict[str, Path] | None = None,
) -> Replicas:
    """Two processes of `service` (not started), as `akiba run --instances 2` plans them.

    Its database is migrated first when `migrations` are given (the test writes to it before
    the processes start); `serve` migrates it anyway, both instances at once.
    """
    (spec,) = (s for s in discover() if s.name == service)
    plan = instances(
        spec.name,
        roles_of(spec),
        Scale.parse(["2"]),
        http_port=free_port(),
        metrics=metrics_ports(free_port()),
    )
    dsn = await databases.create(migrations)
    groups = [prefix + c for c in CONSUMERS[service]]
    await start_groups_at_end(bootstrap, groups)
    env = {
        "AKIBA_DATABASE_URL": dsn,
        "AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "AKIBA_CONSUMER_GROUP_PREFIX": prefix,
        "AKIBA_RELAY_IDLE_SECONDS": "0.02",
    }
    processes = {
        p.name: ServiceProcess(spec.module, p.argv(), {**env, **p.env()}, logs / f"{p.name}.log")
        for p in plan
    }
    return Replicas(service, dsn, plan, processes, groups, bootstrap)


async def groups_with(bootstrap: str, prefix: str) -> set[str]:
    """The consumer groups on the broker whose names start with `prefix`."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        return {g for g, _ in await admin.list_consumer_groups() if g.startswith(prefix)}
    finally:
        await admin.close()
