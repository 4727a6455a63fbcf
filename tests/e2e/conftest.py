"""Inventory as real processes on the real stack, one fresh database per test."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.stack import StackEndpoints
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.groups import start_groups_at_end
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers import alerting, edge, projector


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Inventory:
    """One inventory deployment: its database, its processes and a store with an item."""

    dsn: str
    bootstrap: str
    workdir: Path
    port: int = field(default_factory=free_port)
    store_id: UUID = field(default_factory=uuid4)
    item_id: UUID = field(default_factory=uuid4)
    processes: list[ServiceProcess] = field(default_factory=list)
    token: str = ""
    # Its own consumer groups: another deployment on the same broker never takes its partitions.
    groups: str = field(default_factory=lambda: f"t{uuid4().hex[:8]}-")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def spans(self) -> Path:
        return self.workdir / "spans.jsonl"

    def process(self, roles: str, **env: str) -> ServiceProcess:
        """Start `akiba-inventory serve --roles <roles>` as its own OS process."""
        n = len(self.processes)
        proc = ServiceProcess(
            "akiba_inventory",
            ["serve", "--roles", roles],
            {
                "AKIBA_DATABASE_URL": self.dsn,
                "AKIBA_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "AKIBA_HTTP_PORT": str(self.port),
                "AKIBA_OTEL_EXPORTER": "jsonl",
                "AKIBA_OTEL_FILE": str(self.spans),
                "AKIBA_RELAY_IDLE_SECONDS": "0.02",
                "AKIBA_CONSUMER_GROUP_PREFIX": self.groups,
                **env,
            },
            self.workdir / f"{n}-{roles}.log",
        ).start()
        self.processes.append(proc)
        return proc

    async def started(self, proc: ServiceProcess) -> None:
        """Wait until a process says its roles are running."""
        await wait_until(
            lambda: '"msg":"started"' in proc.output() or proc.returncode is not None,
            what=f"{proc.args} to start",
        )
        assert proc.returncode is None, proc.output()

    async def api_ready(self) -> None:
        """Wait until the API answers /ready."""

        async def ready() -> bool:
            async with httpx.AsyncClient() as c:
                try:
                    return (await c.get(f"{self.url}/ready")).status_code == 200
                except httpx.TransportError:
                    return False

        await wait_until(ready, what="the API to be ready")

    async def receive(self, quantity: int, lot: str = "LOT-1", **headers: str) -> httpx.Response:
        """POST a receipt of the test item."""
        async with httpx.AsyncClient(base_url=self.url) as c:
            return await c.post(
                f"/stores/{self.store_id}/receipts",
                headers={"authorization": f"Bearer {self.token}", **headers},
                json={
                    "item_id": str(self.item_id),
                    "lot_code": lot,
                    "expiry_date": "2030-06-30",
                    "quantity": quantity,
                },
            )

    async def on_hand(self) -> int:
        """The store's total stock on hand as the projector sees it."""
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            total = await conn.fetchval(
                "select coalesce(sum(quantity_on_hand), 0) from stock_levels where store_id = $1",
                self.store_id,
            )
            return int(total)
        finally:
            await conn.close()

    async def fetchval(self, sql: str, *args: Any) -> Any:
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


@pytest.fixture
async def inventory(
    databases: Databases, stack: StackEndpoints, tmp_path: Path
) -> AsyncIterator[Inventory]:
    """A migrated inventory database with one store and one item; processes stopped after."""
    inv = Inventory(
        await databases.create({"inventory": MIGRATIONS}), stack.kafka_bootstrap, tmp_path
    )
    consumers = (edge.NAME, projector.NAME, alerting.NAME)
    await start_groups_at_end(stack.kafka_bootstrap, [inv.groups + c for c in consumers])
    auth = AuthOnKafka(stack.kafka_bootstrap)
    await auth.publish_key()
    _, inv.token = await auth.user(f"STOCK_ADJUST|{inv.store_id}|{uuid4()}")
    await inv.fetchval(
        "with s as (insert into stores (store_id, code, name) values ($1, $2, 'Test store'))"
        " insert into items (item_id, code, name) values ($3, $4, 'Test item')",
        inv.store_id,
        f"S-{inv.store_id.hex[:8]}",
        inv.item_id,
        f"I-{inv.item_id.hex[:8]}",
    )
    yield inv
    for p in inv.processes:
        p.stop()
