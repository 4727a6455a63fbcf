"""Internal orders: suggested from SOH and AMC, sent, approved with changes and supplied by the
supplying store, which sees them as customer requisitions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from akiba_contracts.payloads import MovementType as M

World = Any  # the `world` fixture (conftest.World)


async def _stocked(w: World) -> None:
    """SOH 30 after three months using 30 a month: AMC 30, MOS 1."""
    today = datetime.now(UTC).date()
    item = w.items[0]
    await w.move(w.facility, item, M.RECEIPT, 120, today - timedelta(days=80))
    for back in (70, 40, 10):
        await w.move(w.facility, item, M.ISSUE, -30, today - timedelta(days=back))


async def _order(w: World, token: str, **body: Any) -> Any:
    r = await w.call("POST", "/internal-orders", {
        "facility_id": str(w.facility), "supplying_facility_id": str(w.warehouse),
        "max_months_of_stock": "4", "min_months_of_stock": "2", **body}, token=token)  # fmt: skip
    assert r.status_code == 201, r.text
    return r.json()


async def test_an_internal_order_suggests_up_to_max_months_for_items_due(world: World) -> None:
    await world.build()
    await _stocked(world)
    order = await _order(world, world.user("REQUISITION_CREATE"))
    assert order["kind"] == "INTERNAL_ORDER" and order["internal_order_status"] == "DRAFT"
    (line,) = order["lines"]  # the idle item is not due: nothing consumed
    assert line["orderable_id"] == str(world.items[0])
    assert (line["stock_on_hand"], line["calculated_order_quantity"]) == (30, 90)  # ⌈(4-1)x30⌉
    assert line["average_monthly_consumption"] == "30.0000"


async def test_a_store_above_its_threshold_is_suggested_nothing(world: World) -> None:
    await world.build()
    await _stocked(world)
    order = await _order(world, world.user("REQUISITION_CREATE"), min_months_of_stock="0.5",
                         item_ids=[str(world.items[0])])  # fmt: skip
    assert order["lines"][0]["calculated_order_quantity"] == 0  # MOS 1 > min 0.5


async def test_the_supplier_approves_with_changes_and_supplies_it(world: World) -> None:
    await world.build()
    await _stocked(world)
    requester = world.user("REQUISITION_CREATE")
    order = await _order(world, requester)
    r = await world.call("POST", f"/internal-orders/{order['requisition_id']}/send",
                         token=requester, version=order["version"])  # fmt: skip
    assert r.status_code == 200 and r.json()["internal_order_status"] == "SENT"

    viewer = world.issuer.user(f"ORDERS_VIEW|{world.warehouse}")[1]
    seen = await world.call("GET", "/customer-requisitions", token=viewer,
                            supplying_facility_id=str(world.warehouse))  # fmt: skip
    (item,) = seen.json()["items"]
    assert item["customer_requisition_status"] == "NEW"

    clerk = world.issuer.user(f"ORDERS_EDIT|{world.warehouse}", f"ORDERS_VIEW|{world.warehouse}")[1]
    path = f"/customer-requisitions/{order['requisition_id']}"
    doc = (await world.call("GET", path, token=clerk)).json()
    edit = {"lines": [{"orderable_id": str(world.items[0]), "approved_quantity": 80,
                       "remarks": "short of stock"}]}  # fmt: skip
    doc = (
        await world.call("PUT", f"{path}/lines", edit, token=clerk, version=doc["version"])
    ).json()
    nobody = world.issuer.user(f"ORDERS_EDIT|{world.facility}")[1]
    r = await world.call("POST", f"{path}/approve", token=nobody, version=doc["version"])
    assert r.status_code == 403  # another store's staff
    doc = (await world.call("POST", f"{path}/approve", token=clerk, version=doc["version"])).json()
    assert doc["customer_requisition_status"] == "APPROVED"
    r = await world.call("POST", f"{path}/supply", token=clerk, version=doc["version"])
    assert r.status_code == 200 and r.json()["customer_requisition_status"] == "FINALISED"
    released = [e for e in await world.events() if e["type"].endswith("released.v1")]
    assert [(x["approved_quantity"], x["packs"]) for x in released[0]["lines"]] == [(80, 8)]
    assert released[0]["kind"] == "INTERNAL_ORDER"


async def test_the_supplier_lists_only_the_internal_orders_sent_to_it(world: World) -> None:
    await world.build()
    await _stocked(world)
    requester = world.user("REQUISITION_CREATE")
    draft, sent = await _order(world, requester), await _order(world, requester)
    r = await world.call("POST", f"/internal-orders/{sent['requisition_id']}/send",
                         token=requester, version=sent["version"])  # fmt: skip
    assert r.status_code == 200, r.text
    viewer = world.issuer.user(f"ORDERS_VIEW|{world.warehouse}")[1]

    async def listed(**status: str) -> list[str]:
        seen = await world.call("GET", "/customer-requisitions", token=viewer,
                                supplying_facility_id=str(world.warehouse), **status)  # fmt: skip
        assert seen.status_code == 200, seen.text
        return [i["requisition_id"] for i in seen.json()["items"]]

    assert await listed() == [sent["requisition_id"]]
    assert await listed(status="AUTHORIZED") == [sent["requisition_id"]]
    assert await listed(status="INITIATED") == []  # the draft is the requester's alone
    assert draft["requisition_id"] not in await listed()
