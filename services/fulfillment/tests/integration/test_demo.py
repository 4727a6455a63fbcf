"""The demo supply lines: auth's and inventory's demo ids, idempotent, demo installations only."""

from __future__ import annotations

import pytest

from akiba_devtools.testing.plugin import Databases
from akiba_fulfillment import demo
from akiba_fulfillment.bootstrap import MIGRATIONS
from akiba_fulfillment.domain.supply_lines import Terms
from akiba_fulfillment.handlers import supply_lines
from akiba_fulfillment.settings import Settings
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import NotADemo, demo_id, open_pool


async def test_the_national_warehouse_supplies_the_northern_region_once_for_each_program(
    databases: Databases, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(database_url=await databases.create({"fulfillment": MIGRATIONS}), demo=True)

    await demo.seed(settings)
    await demo.seed(settings)

    async with open_pool(settings) as pool:
        rows = await pool.fetch("select * from supply_lines where active order by program_id")
        events = await pool.fetch("select topic, key from outbox")
    programs = {demo_id("program", p) for p in ("EPI", "FP", "EM")}
    assert {r["program_id"] for r in rows} == programs
    assert {r["supervisory_node_id"] for r in rows} == {demo_id("node", "SN-NORTH")}
    assert {r["supplying_facility_id"] for r in rows} == {demo_id("store", "WH-NAT")}
    assert sorted(e["key"] for e in events) == sorted(str(r["supply_line_id"]) for r in rows)
    assert "0 added, 3 already there" in capsys.readouterr().out


async def test_the_demo_leaves_a_line_an_administrator_made_for_a_demo_node_alone(
    databases: Databases,
) -> None:
    settings = Settings(database_url=await databases.create({"fulfillment": MIGRATIONS}), demo=True)
    region, epi, depot = (
        demo_id("node", "SN-NORTH"),
        demo_id("program", "EPI"),
        demo_id("store", "DEP-NORTH"),
    )
    async with open_pool(settings) as pool:
        await supply_lines.create(FulfillmentUnitOfWork(pool), Terms(region, epi, depot))

    await demo.seed(settings)

    async with open_pool(settings) as pool:
        supplier = await pool.fetchval(
            "select supplying_facility_id from supply_lines where program_id = $1 and active", epi
        )
        count = await pool.fetchval("select count(*) from supply_lines")
    assert (supplier, count) == (depot, 3)


async def test_the_demo_is_refused_unless_the_installation_says_it_is_one() -> None:
    with pytest.raises(NotADemo):
        await demo.seed(Settings(demo=False))
