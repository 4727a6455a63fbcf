"""The demo seed: a realistic catalogue, loaded idempotently with its events."""

from __future__ import annotations

from typing import Any

import asyncpg
import pytest

from akiba_inventory import demo
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.demo import NotADemo, demo_id
from akiba_platform.testing.plugin import Databases

COUNTS = (
    "select (select count(*) from stores), (select count(*) from items),"
    " (select count(*) from batches), (select count(*) from locations),"
    " (select count(*) from adjustment_reasons), (select count(*) from geographic_zones),"
    " (select count(*) from outbox)"
)


async def test_the_demo_loads_once_with_events_and_keeps_the_first_demo_ids(
    databases: Databases,
) -> None:
    dsn = await databases.create({"inventory": MIGRATIONS})
    await demo.seed(Settings(database_url=dsn, demo=True))
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        stores, items, batches, locations, reasons, zones, events = await conn.fetchrow(COUNTS)
        assert (stores, items, zones) == (50, 500, 21)
        assert batches >= items and locations > 2 * stores and reasons >= 10
        assert events == stores + items + batches + locations + reasons + zones + 5
        hf = await conn.fetchrow("select * from stores where code = 'HF-0001'")
        assert hf["store_id"] == demo_id("store", "HF-0001") and hf["managed_by"] == "site"
        amx = await conn.fetchval("select item_id from items where code = 'AMX-250'")
        assert amx == demo_id("item", "AMX-250")
        await demo.seed(Settings(database_url=dsn, demo=True))
        assert (await conn.fetchrow(COUNTS))[-1] == events
    finally:
        await conn.close()


async def test_stores_seeded_before_reference_data_get_a_type_and_zone(
    databases: Databases,
) -> None:
    dsn = await databases.create({"inventory": MIGRATIONS})
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "insert into stores (store_id, code, name) values ($1, 'WH-NAT', 'NMS')",
            demo_id("store", "WH-NAT"),
        )
        await demo.seed(Settings(database_url=dsn, demo=True))
        row = await conn.fetchrow("select * from stores where code = 'WH-NAT'")
        assert row["facility_type_id"] == demo_id("facility-type", "NW")
        assert row["version"] == 2 and row["name"] == "NMS"
        keys = await conn.fetch(
            "select key from outbox where topic = 'inventory.facilities' and key = $1",
            str(row["store_id"]),
        )
        assert len(keys) == 1
    finally:
        await conn.close()


async def test_the_demo_is_refused_without_akiba_demo_and_nothing_is_loaded(
    databases: Databases,
) -> None:
    dsn = await databases.create({"inventory": MIGRATIONS})
    with pytest.raises(NotADemo, match="AKIBA_DEMO=1"):
        await demo.seed(Settings(database_url=dsn))
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        assert (await conn.fetchrow(COUNTS))[:2] == (0, 0)
    finally:
        await conn.close()
