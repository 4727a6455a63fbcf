"""The demo: inventory's items learnt from its topics, then programs, schedules, templates,
approvals and ISA derived from them, loaded once with their events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID, uuid4

import asyncpg
import pytest

from akiba_contracts.envelope import encode, new_event
from akiba_contracts.payloads import FacilityChanged, OrderableChanged, Payload
from akiba_devtools.testing.plugin import Databases, Topics
from akiba_platform import demo_id, kafka
from akiba_platform.db import create_pool
from akiba_requisition import demo
from akiba_requisition.bootstrap import MIGRATIONS
from akiba_requisition.settings import Settings

EPI, FP, EM = (demo_id("program", p) for p in ("EPI", "FP", "EM"))


def _item(code: str, *programs: UUID, version: int = 1) -> OrderableChanged:
    return OrderableChanged(
        item_id=demo_id("item", code) if code.startswith("MR") else uuid4(), code=code,
        name=code, dispensing_unit="dose", net_content=10, pack_rounding_threshold=0,
        round_to_zero=False, vvm=False, cold_chain=False, program_ids=list(programs),
        active=True, version=version, changed_at=datetime.now(UTC),
    )  # fmt: skip


def _store(code: str) -> FacilityChanged:
    return FacilityChanged(
        store_id=demo_id("store", code), code=code, name=code, managed_by="central",
        facility_type_id=demo_id("facility-type", "HC"), active=True, version=1,
        changed_at=datetime.now(UTC),
    )  # fmt: skip


async def _publish(bootstrap: str, topic: str, *records: Payload | bytes) -> None:
    producer = kafka.producer(bootstrap)
    await producer.start()
    try:
        for r in records:
            if isinstance(r, bytes):
                await producer.send_and_wait(topic, r, key=b"junk")
                continue
            event = new_event(
                source="/akiba/inventory", type=r.event_type, subject="x", data=r,
                partitionkey=r.partition_key(),
            )  # fmt: skip
            await producer.send_and_wait(topic, encode(event), key=r.partition_key().encode())
    finally:
        await producer.stop()


@pytest.fixture
async def inventory(topics: Topics) -> tuple[str, str]:
    """Stand-ins for inventory.orderables and inventory.facilities."""
    return await topics.create("orderables"), await topics.create("facilities")


@pytest.fixture
async def dsn(databases: Databases) -> str:
    return await databases.create({"requisition": MIGRATIONS})


@pytest.fixture
async def pool(dsn: str) -> AsyncIterator[asyncpg.Pool[Any]]:
    p = await create_pool(dsn)
    yield p
    await p.close()


async def test_learning_items_reads_both_topics_to_their_end_taking_each_latest_version(
    kafka_bootstrap: str, inventory: tuple[str, str], pool: asyncpg.Pool[Any]
) -> None:
    items, stores = inventory
    one, two = uuid4(), uuid4()
    first = _item("MR-VAX", one)
    await _publish(kafka_bootstrap, items, first, b"not an event", _item("X-1", two))
    await _publish(kafka_bootstrap, items, first.model_copy(update={"name": "MR", "version": 2}))
    await _publish(kafka_bootstrap, stores, _store("HF-0001"))
    async with pool.acquire() as conn:
        await demo.learn_items(kafka_bootstrap, conn, (items, stores), (one, two), timeout=60)
    names = {r["code"]: r["name"] for r in await pool.fetch("select code, name from orderables")}
    assert names == {"MR-VAX": "MR", "X-1": "X-1"}
    assert await pool.fetchval("select code from facilities") == "HF-0001"


async def test_learning_items_waits_for_an_item_of_every_program(
    kafka_bootstrap: str, inventory: tuple[str, str], pool: asyncpg.Pool[Any]
) -> None:
    items, stores = inventory
    one, two = uuid4(), uuid4()
    await _publish(kafka_bootstrap, items, _item("A", one))

    async def late() -> None:
        await asyncio.sleep(1.5)
        await _publish(kafka_bootstrap, items, _item("B", two), _item("C", two))

    publishing = asyncio.create_task(late())
    async with pool.acquire() as conn:
        await demo.learn_items(kafka_bootstrap, conn, (items, stores), (one, two), timeout=60)
    await publishing
    assert await pool.fetchval("select count(*) from orderables") == 3


async def test_learning_items_gives_up_at_its_deadline_saying_what_it_waited_for(
    kafka_bootstrap: str, inventory: tuple[str, str], pool: asyncpg.Pool[Any]
) -> None:
    items, stores = inventory
    await _publish(kafka_bootstrap, items, _item("A", uuid4()))
    async with pool.acquire() as conn:
        with pytest.raises(demo.InventoryNotReady, match="relay running"):
            await demo.learn_items(kafka_bootstrap, conn, (items, stores), (uuid4(),), timeout=2)


COUNTS = """select (select count(*) from programs), (select count(*) from periods),
                   (select count(*) from group_schedules), (select count(*) from templates),
                   (select count(*) from program_orderables),
                   (select count(*) from approved_products),
                   (select count(*) from ideal_stock_amounts), (select count(*) from outbox)"""


async def test_the_demo_loads_once_from_inventorys_items_with_its_events(
    kafka_bootstrap: str, inventory: tuple[str, str], dsn: str, pool: asyncpg.Pool[Any]
) -> None:
    items, stores = inventory
    catalogue = [_item("MR-VAX", EPI), _item("BCG", EPI), _item("FP-1", FP), _item("AMX", EM)]
    await _publish(kafka_bootstrap, items, *catalogue, _item("OTHER", uuid4()))
    await _publish(kafka_bootstrap, stores, _store("HF-0001"))
    settings = Settings(database_url=dsn, demo=True, kafka_bootstrap_servers=kafka_bootstrap)
    await demo.seed(settings, (items, stores))
    programs, periods, groups, templates, pos, approved, isa, events = await pool.fetchrow(COUNTS)
    assert (programs, periods, groups, templates) == (3, 16, 3, 3)
    assert (pos, approved, isa) == (4, 4 * 5, 2 * 16)  # two vaccines, every demo month
    assert events == programs + 1 + periods + groups + templates + pos + approved + isa
    epi = await pool.fetchrow("select * from programs where code = 'EPI'")
    assert epi["program_id"] == EPI and not epi["periods_skippable"]
    (y, m), *_ = demo.months()
    first = await pool.fetchrow(
        "select start_date, end_date from periods where period_id = $1",
        demo_id("period", f"{y}-{m:02d}"),
    )
    assert first["start_date"] == date(y, m, 1) and first["end_date"].month == m
    mr = await pool.fetchrow(
        "select * from ideal_stock_amounts where orderable_id = $1 and period_id = $2",
        demo_id("item", "MR-VAX"), demo_id("period", f"{y}-{m:02d}"),
    )  # fmt: skip
    assert mr["facility_id"] == demo_id("store", "HF-0001") and mr["amount"] > 0
    columns = await pool.fetchval("select columns from templates where program_id = $1", EPI)
    assert columns["calculated_order_quantity_isa"]["source"] == "CALCULATED"
    await demo.seed(settings, (items, stores))
    assert (await pool.fetchrow(COUNTS))[-1] == events
