"""An integrator's Java consumer reads what the real inventory service published, from the
beginning: every event valid against the published JSON Schemas, each counted once.

Inventory runs as real processes (API and outbox relay) on a broker of these tests' own and
the shared PostgreSQL; reference data and stock are recorded over HTTP as people would. The
Java consumer signs in with SCRAM as a principal that may only read these topics.
A relay killed between publishing and marking its batch publishes that batch again: the
duplicates an integrator must expect, with the same event ids.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.bootstrap import MIGRATIONS

from .conftest import EventCheck, free_port

pytestmark = pytest.mark.stack

ADMIN = ("FACILITIES_MANAGE", "ORDERABLES_MANAGE", "STOCK_ADJUSTMENT_REASONS_MANAGE")
# What inventory publishes that this scenario produces, by topic and event type.
TOPICS = {
    "inventory.facility-types": "org.akiba.inventory.facility-type.changed.v1",
    "inventory.geographic-zones": "org.akiba.inventory.geographic-zone.changed.v1",
    "inventory.facilities": "org.akiba.inventory.facility.changed.v1",
    "inventory.orderables": "org.akiba.inventory.orderable.changed.v1",
    "inventory.batches": "org.akiba.inventory.batch.changed.v1",
    "inventory.locations": "org.akiba.inventory.location.changed.v1",
    "inventory.adjustment-reasons": "org.akiba.inventory.adjustment-reason.changed.v1",
    "inventory.stock-movements": "org.akiba.inventory.stock-movement.recorded.v1",
    "inventory.stock-levels": "org.akiba.inventory.stock-level.changed.v1",
}
MOVEMENT, LEVEL = TOPICS["inventory.stock-movements"], TOPICS["inventory.stock-levels"]


@dataclass
class Inventory:
    """Inventory's processes on one database and broker, and an HTTP client for its API."""

    dsn: str
    bootstrap: str
    workdir: Path
    port: int = field(default_factory=free_port)
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(self, roles: str, **env: str) -> ServiceProcess:
        """`akiba-inventory serve --roles <roles>` as its own OS process."""
        proc = ServiceProcess(
            "akiba_inventory",
            ["serve", "--roles", roles],
            {
                "AKIBA_DATABASE_URL": self.dsn,
                "AKIBA_KAFKA_BOOTSTRAP_SERVERS": self.bootstrap,
                "AKIBA_HTTP_PORT": str(self.port),
                "AKIBA_RELAY_IDLE_SECONDS": "0.02",
                **env,
            },
            self.workdir / f"{len(self.processes)}-{roles}.log",
        ).start()
        self.processes.append(proc)
        return proc

    async def ready(self) -> None:
        async def answers() -> bool:
            async with httpx.AsyncClient() as c:
                try:
                    return (await c.get(f"http://127.0.0.1:{self.port}/ready")).status_code == 200
                except httpx.TransportError:
                    return False

        await wait_until(answers, timeout=60, what="inventory's API to be ready")

    async def post(self, token: str, path: str, body: Any = None) -> dict[str, Any]:
        """POST as a user; the permissions published a moment ago may still be on their way."""

        async def answer() -> httpx.Response | None:
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}") as c:
                r = await c.post(path, json=body, headers={"authorization": f"Bearer {token}"})
            return None if r.status_code in (401, 403) else r

        r = await wait_until(answer, what=f"POST {path} to be allowed")
        assert r.status_code in (200, 201), r.text
        found: dict[str, Any] = r.json() if isinstance(r.json(), dict) else {"items": r.json()}
        return found

    async def fetchval(self, sql: str, *args: Any) -> Any:
        conn: asyncpg.Connection[Any] = await asyncpg.connect(self.dsn)
        try:
            return await conn.fetchval(sql, *args)
        finally:
            await conn.close()


@pytest.fixture
async def inventory(
    databases: Databases, event_check: EventCheck, tmp_path: Path
) -> AsyncIterator[Inventory]:
    inv = Inventory(
        await databases.create({"inventory": MIGRATIONS}), event_check.bootstrap, tmp_path
    )
    yield inv
    for p in inv.processes:
        p.stop()


async def test_every_event_inventory_published_is_valid_and_counted_once_in_java(
    inventory: Inventory, event_check: EventCheck, integrator: Path
) -> None:
    auth = AuthOnKafka(inventory.bootstrap)
    await auth.publish_key()
    _, admin = await auth.user(*ADMIN)
    inventory.start("api")
    await inventory.ready()
    post = inventory.post

    # Reference data, each record one `…changed` event on its compacted topic.
    def code() -> str:
        return f"C-{uuid4().hex[:8]}"

    ft = await post(admin, "/facility-types", {"code": code(), "name": "Health centre"})
    zone = await post(admin, "/geographic-zones", {"code": code(), "name": "Kenya", "level": 1})
    store = (
        await post(
            admin,
            "/stores",
            {
                "code": code(),
                "name": "Kibera HC",
                "facility_type_id": ft["facility_type_id"],
                "zone_id": zone["zone_id"],
            },
        )
    )["store_id"]
    item = (
        await post(
            admin,
            "/items",
            {"code": code(), "name": "Amoxicillin", "dispensing_unit": "tablet", "net_content": 1},
        )
    )["item_id"]
    lot = code()
    batch = (
        await post(
            admin, "/batches", {"item_id": item, "lot_code": lot, "expiry_date": "2030-01-31"}
        )
    )["batch_id"]
    shelf_a, shelf_b = [
        (await post(admin, f"/stores/{store}/locations", {"code": c, "name": f"Shelf {c}"}))[
            "location_id"
        ]
        for c in ("A", "B")
    ]
    damaged, shortage = [
        (await post(admin, "/adjustment-reasons", {"name": code(), **kind}))["reason_id"]
        for kind in (
            {"direction": "debit", "category": "adjustment"},
            {"direction": "debit", "category": "physical_inventory"},
        )
    ]
    program = uuid4()
    _, clerk = await auth.user(
        f"STOCK_ADJUST|{store}|{program}", f"STOCK_INVENTORIES_EDIT|{store}|{program}"
    )
    stock = f"/stores/{store}"
    await post(clerk, f"{stock}/receipts", _receipt(item, lot, 100, shelf_a))

    # A relay that dies after the broker has its batch, before marking it: all of it again.
    published_twice = int(await inventory.fetchval("select count(*) from outbox"))
    crashing = inventory.start("relay", AKIBA_CRASH_AT="relay-after-publish")
    assert await asyncio.to_thread(crashing.wait, 90) == 137, crashing.output()
    inventory.start("relay")

    # Stock recorded as a store would: a receipt of a new lot, an issue, an adjustment, a move
    # between shelves and a stocktake whose shortage becomes a stocktake balance.
    await post(clerk, f"{stock}/receipts", _receipt(item, code(), 40, shelf_b))
    line = {"item_id": item, "batch_id": batch, "location_id": shelf_a}
    await post(clerk, f"{stock}/issues", {"lines": [{**line, "quantity": 30}]})
    await post(
        clerk,
        f"{stock}/adjustments",
        {"direction": "negative", "lines": [{**line, "quantity": 5, "reason_id": damaged}]},
    )
    await post(
        clerk,
        f"{stock}/location-moves",
        {
            "item_id": item,
            "batch_id": batch,
            "from_location_id": shelf_a,
            "to_location_id": shelf_b,
            "quantity": 10,
        },
    )
    stocktake = (await post(clerk, f"{stock}/stocktakes", {"location_ids": [shelf_a]}))[
        "stocktake_id"
    ]
    await post(
        clerk,
        f"{stock}/stocktakes/{stocktake}/counts",
        {"lines": [{**line, "counted": 50, "reason_id": shortage}]},
    )
    await post(clerk, f"{stock}/stocktakes/{stocktake}/finalise")
    await wait_until(_outbox_empty(inventory), timeout=60, what="the relay to publish it all")

    movements = int(await inventory.fetchval("select count(*) from stock_movements"))
    # Each posting above touches each stock line once, so one level event per movement.
    expected = {t: 1 for t in TOPICS.values()} | {MOVEMENT: movements, LEVEL: movements}
    expected[TOPICS["inventory.locations"]] = 2
    expected[TOPICS["inventory.adjustment-reasons"]] = 2
    assert movements == 7  # 2 receipts, issue, adjustment, 2 for the move, the shortage

    # Read as an integrator would: signed in with SCRAM, allowed to read these topics only.
    await event_check.broker.grant_read(*TOPICS)
    check = await event_check.run(*TOPICS, min_events=sum(expected.values()), config=integrator)

    assert check.status == 0, check.output
    report = check.report
    assert report["invalid"] == 0 and report["invalid_events"] == []
    assert report["types"] == expected
    assert report["events"] == report["valid"] == sum(expected.values())
    assert published_twice > 0 and report["duplicates"] == published_twice
    assert report["records"] == report["events"] + published_twice
    assert "OK: every event is valid" in check.output


def _receipt(item: str, lot: str, quantity: int, shelf: str) -> dict[str, Any]:
    return {
        "item_id": item,
        "lot_code": lot,
        "expiry_date": "2030-01-31",
        "quantity": quantity,
        "location_id": shelf,
    }


def _outbox_empty(inventory: Inventory) -> Callable[[], Awaitable[bool]]:
    async def empty() -> bool:
        return int(await inventory.fetchval("select count(*) from outbox")) == 0

    return empty
