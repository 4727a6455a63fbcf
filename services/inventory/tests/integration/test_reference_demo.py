"""The demo seed: a realistic catalogue, loaded idempotently with its events."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import asyncpg
import pytest

from akiba_contracts.envelope import decode
from akiba_contracts.payloads.auth import SiteChanged
from akiba_devtools.testing.plugin import Databases
from akiba_inventory import demo
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.consumers.edge.writers import apply_sites
from akiba_inventory.settings import Settings
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform.demo import NotADemo, demo_id

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
        # Written centrally until auth's demo site takes it (auth.sites).
        assert hf["store_id"] == demo_id("store", "HF-0001") and hf["managed_by"] == "central"
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


async def test_a_site_assignment_read_before_the_demo_stores_existed_applies_when_seeded(
    databases: Databases,
) -> None:
    dsn = await databases.create({"inventory": MIGRATIONS})
    hf, site = demo_id("store", "HF-0001"), demo_id("site", "SITE-HF-0001")
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        async with conn.transaction():
            uow = InventoryUnitOfWork.joining(conn)
            record = SiteChanged(
                site_id=site, name="gw", active=True, store_ids=[hf],
                changed_at=datetime.now(UTC), version=1,
            )  # fmt: skip
            await apply_sites(uow, [record])
            await uow.commit()
        await demo.seed(Settings(database_url=dsn, demo=True))
        row = await conn.fetchrow("select managed_by, site_id from stores where store_id = $1", hf)
        assert (row["managed_by"], row["site_id"]) == ("site", site)
        ack = await conn.fetchval("select value from outbox where topic = 'inventory.edge-acks'")
        assert (decode(bytes(ack)).data or {})["next_sequence"] == 1
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
