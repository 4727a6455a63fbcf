"""Orders and shipments through the real app and consumers on a real database."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta
from uuid import uuid4

from .conftest import World

TODAY = date.today()


def _month(n: int) -> date:
    return TODAY + timedelta(days=30 * n)


async def test_a_released_requisition_opens_one_order_in_packs_and_units(world: World) -> None:
    order = await world.release(10)

    assert (order["status"], order["back_ordered"], order["version"]) == ("ORDERED", False, 1)
    (line,) = order["lines"]
    assert (line["ordered_packs"], line["ordered_quantity"], line["remaining_quantity"]) == (
        10,
        50,
        50,
    )
    ((kind, key, event),) = await world.events("fulfillment.orders")
    assert (kind, key) == ("org.akiba.fulfillment.order.changed.v1", order["order_id"])
    assert (event["step"], event["status"], event["requesting_facility_id"]) == (
        "created",
        "ORDERED",
        str(world.receiver),
    )


async def test_the_same_release_delivered_twice_opens_one_order(world: World) -> None:
    from akiba_fulfillment.consumers import orders

    order = await world.release(4)
    rows = await world.pool.fetch("select requisition_id from orders")
    again = await world.pool.fetchval("select count(*) from orders")
    (row,) = rows
    assert again == 1 and str(row["requisition_id"]) == order["requisition_id"]
    assert orders.NAME  # the consumer that made it


async def test_a_release_read_again_after_its_order_was_lost_opens_it_under_the_same_id(
    world: World,
) -> None:
    # A database restored from before the order was made reads the release once more.
    requisition = uuid4()
    first = await world.release(4, requisition_id=requisition)
    for table in ("order_steps", "order_lines", "orders"):
        await world.pool.execute(f"delete from {table}")
    again = await world.release(4, requisition_id=requisition)
    assert again["order_id"] == first["order_id"]
    other = await world.release(4)
    assert other["order_id"] != first["order_id"]


async def test_allocation_takes_the_earliest_expiry_first_in_whole_packs_no_expiry_last(
    world: World,
) -> None:
    a = await world.lot("A", _month(3), 10)
    b = await world.lot("B", _month(1), 25)
    c = await world.lot("C", None, 40)
    order = await world.release(10)  # 50 units in packs of 5
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})

    r = await world.step(f"/shipments/{s['shipment_id']}/allocate", s)

    assert r.status_code == 200, r.text
    got = r.json()
    picks = [(lot["batch_id"], lot["quantity"], lot["packs"]) for lot in got["lots"]]
    assert picks == [(str(b), 25, 5), (str(a), 10, 2), (str(c), 15, 3)]
    assert (got["status"], got["items"][0]["unallocated"]) == ("ALLOCATED", 0)
    assert r.headers["etag"] == '"2"'
    ((kind, key, event),) = await world.events("fulfillment.shipments")
    assert (kind, key) == ("org.akiba.fulfillment.shipment.allocated.v1", s["shipment_id"])
    assert [x["quantity"] for x in event["lots"]] == [25, 10, 15]
    assert (await world.order(order["order_id"]))["status"] == "FULFILLING"


async def test_expired_held_and_short_lived_lots_are_skipped_and_what_is_left_stays_unallocated(
    world: World,
) -> None:
    await world.lot("OLD", TODAY - timedelta(days=1), 100)
    await world.lot("HELD", _month(6), 100, on_hold=True)
    await world.lot("SOON", TODAY + timedelta(days=10), 100)
    good = await world.lot("GOOD", _month(12), 12)
    order = await world.release(5)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})

    r = await world.step(f"/shipments/{s['shipment_id']}/allocate", s, {"min_shelf_life_days": 30})

    got = r.json()
    assert [(lot["batch_id"], lot["quantity"]) for lot in got["lots"]] == [(str(good), 10)]
    (item,) = got["items"]
    assert item["unallocated"] == 15
    assert sorted(k["reason"] for k in item["skipped"]) == [
        "expired",
        "on_hold",
        "short_shelf_life",
    ]


async def test_picking_waits_for_inventory_to_answer_the_reservation(world: World) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(4)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    s = (await world.step(f"/shipments/{s['shipment_id']}/allocate", s)).json()

    early = await world.step(f"/shipments/{s['shipment_id']}/pick", s)
    await world.answer(s)
    later = await world.step(f"/shipments/{s['shipment_id']}/pick", s)

    assert early.status_code == 409
    assert later.status_code == 200 and later.json()["status"] == "PICKED"


async def test_a_short_reservation_cuts_the_lot_and_leaves_the_rest_unallocated(
    world: World,
) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(10)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    s = (await world.step(f"/shipments/{s['shipment_id']}/allocate", s)).json()

    await world.answer(s, cut={"A": 20})

    got = await world.ok("GET", f"/shipments/{s['shipment_id']}")
    assert [(lot["quantity"], lot["reserved"]) for lot in got["lots"]] == [(30, True)]
    assert got["items"][0]["unallocated"] == 20


async def test_an_allocation_counts_lots_another_one_took_before_inventory_answered(
    world: World,
) -> None:
    await world.lot("A", _month(6), 30)
    first, second = await world.release(6), await world.release(6)
    s1 = await world.ok("POST", f"/orders/{first['order_id']}/shipments", {})
    s2 = await world.ok("POST", f"/orders/{second['order_id']}/shipments", {})

    r1, r2 = await asyncio.gather(
        world.step(f"/shipments/{s1['shipment_id']}/allocate", s1),
        world.step(f"/shipments/{s2['shipment_id']}/allocate", s2),
    )

    taken = [sum(lot["quantity"] for lot in r.json()["lots"]) for r in (r1, r2)]
    assert sorted(taken) == [0, 30]


async def test_two_partial_shipments_then_receipt_with_a_rejection_close_the_order(
    world: World,
) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(10)

    first = await world.shipped(order, packs=4)
    partly = await world.order(order["order_id"])
    second = await world.shipped(order)
    for s, reject in ((first, 5), (second, 0)):
        lot = s["lots"][0]
        line = {
            "line_id": lot["line_id"],
            "accepted_quantity": lot["quantity"] - reject,
            "rejected_quantity": reject,
            "location_id": str(world.receiving_shelf),
        }
        if reject:
            line["rejection_reason"] = "DAMAGED"
        body = {
            "delivered_by": "Driver",
            "received_by": "Nurse",
            "received_at": "2026-12-01T10:00:00+00:00",
            "lines": [line],
        }
        r = await world.step(
            f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery",
            s,
            body,
            token=world.storekeeper,
        )
        assert r.status_code == 200, r.text
    done = await world.order(order["order_id"])

    assert (partly["status"], partly["back_ordered"]) == ("SHIPPED", True)
    assert partly["lines"][0]["remaining_quantity"] == 30
    assert (done["status"], done["back_ordered"]) == ("RECEIVED", False)
    (line,) = done["lines"]
    assert (line["shipped_quantity"], line["received_quantity"], line["rejected_quantity"]) == (
        50,
        45,
        5,
    )
    received = [
        e for k, _, e in await world.events("fulfillment.shipments") if k.endswith("received.v1")
    ]
    assert [lot["rejection_reason"] for e in received for lot in e["lots"]] == ["DAMAGED", None]
    steps = await world.ok(
        "GET", f"/requested-orders/{order['order_id']}/timeline", token=world.storekeeper
    )
    assert [s["step"] for s in steps["steps"]].count("received") == 2


async def test_a_back_order_is_closed_only_with_a_reason(world: World) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(10)
    await world.shipped(order, packs=4)
    current = await world.order(order["order_id"])

    blank = await world.step(f"/orders/{order['order_id']}/close", current, {"reason": ""})
    r = await world.step(
        f"/orders/{order['order_id']}/close", current, {"reason": "Stock-out at the warehouse"}
    )

    assert r.status_code == 200, r.text
    (line,) = r.json()["lines"]
    assert (line["cancelled_quantity"], line["remaining_quantity"]) == (30, 0)
    assert r.json()["closed_reason"] == "Stock-out at the warehouse"
    assert blank.status_code == 422


async def test_cancelling_a_shipment_releases_it_and_a_shipped_one_cannot_be(world: World) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(4)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    s = (await world.step(f"/shipments/{s['shipment_id']}/allocate", s)).json()

    r = await world.step(f"/shipments/{s['shipment_id']}/cancel", s, {"reason": "Truck broke"})
    shipped = await world.shipped(order)
    late = await world.step(f"/shipments/{shipped['shipment_id']}/cancel", shipped, {})

    assert r.status_code == 200 and r.json()["status"] == "CANCELLED"
    kinds = [
        k.rsplit(".", 2)[-2]
        for k, key, _ in await world.events("fulfillment.shipments")
        if key == s["shipment_id"]
    ]
    assert kinds == ["allocated", "cancelled"]
    assert late.status_code == 409


async def test_a_proof_of_delivery_must_account_for_every_unit_with_reasons(world: World) -> None:
    await world.lot("A", _month(6), 100)
    order = await world.release(4)
    s = await world.shipped(order)
    lot = s["lots"][0]
    path = f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery"

    def body(**line: object) -> dict[str, object]:
        return {
            "delivered_by": "D",
            "received_by": "R",
            "received_at": "2026-12-01T10:00:00Z",
            "lines": [{"line_id": lot["line_id"], **line}],
        }

    short = await world.step(path, s, body(accepted_quantity=15), token=world.storekeeper)
    no_reason = await world.step(
        path, s, body(accepted_quantity=15, rejected_quantity=5), token=world.storekeeper
    )
    vvm = await world.step(
        path,
        s,
        body(accepted_quantity=15, rejected_quantity=5, rejection_reason="VVM_STATUS"),
        token=world.storekeeper,
    )
    foreign = await world.step(
        path, s, body(accepted_quantity=20, location_id=str(world.shelf)), token=world.storekeeper
    )

    assert [r.status_code for r in (short, no_reason, vvm, foreign)] == [422] * 4
    assert "must equal shipped 20" in short.json()["detail"]
    assert "needs a reason" in no_reason.json()["detail"]
    assert "VVM stage" in vvm.json()["detail"]
    assert "not an active location of the receiver" in foreign.json()["detail"]


async def test_steps_need_the_current_version(world: World) -> None:
    order = await world.release(4)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    path = f"/shipments/{s['shipment_id']}/allocate"

    missing = await world.call("POST", path, {})
    stale = await world.call("POST", path, {}, headers={"if-match": '"9"'})

    assert (missing.status_code, stale.status_code) == (428, 409)


async def test_staff_of_other_stores_neither_see_nor_change_the_order(world: World) -> None:
    order = await world.release(4)
    oid = order["order_id"]

    seen = await world.call("GET", f"/orders/{oid}", token=world.elsewhere)
    by_requester = await world.call("GET", f"/requested-orders/{oid}", token=world.elsewhere)
    ship = await world.call("POST", f"/orders/{oid}/shipments", {}, token=world.elsewhere)
    mine = await world.call("GET", f"/requested-orders/{oid}", token=world.storekeeper)

    assert (seen.status_code, by_requester.status_code, ship.status_code) == (404, 404, 403)
    assert mine.status_code == 200


async def test_a_retried_shipment_creation_with_its_key_makes_one_shipment(world: World) -> None:
    order = await world.release(4)
    path = f"/orders/{order['order_id']}/shipments"
    key = {"idempotency-key": "ship-once-1"}

    first = await world.call("POST", path, {}, headers=key)
    again = await world.call("POST", path, {}, headers=key)

    assert first.status_code == again.status_code == 201
    assert first.json()["shipment_id"] == again.json()["shipment_id"]
    assert await world.pool.fetchval("select count(*) from shipments") == 1


async def test_a_manual_order_needs_orders_edit_at_the_supplier(world: World) -> None:
    body = {
        "requesting_facility_id": str(world.receiver),
        "supplying_facility_id": str(world.supplier),
        "lines": [{"orderable_id": str(world.item), "packs": 3}],
    }

    made = await world.call("POST", "/orders", body)
    refused = await world.call("POST", "/orders", body, token=world.elsewhere)
    unknown = await world.call(
        "POST", "/orders", {**body, "lines": [{"orderable_id": str(world.receiver), "packs": 1}]}
    )

    assert made.status_code == 201, made.text
    assert made.json()["lines"][0]["ordered_quantity"] == 15
    assert (refused.status_code, unknown.status_code) == (403, 422)


async def test_counts_by_status_for_a_dashboard(world: World) -> None:
    await world.lot("A", _month(6), 100)
    await world.release(2)
    shipped = await world.release(8)
    await world.shipped(shipped, packs=2)

    got = await world.ok("GET", "/orders/counts", supplying_facility_id=str(world.supplier))

    assert {k: v for k, v in got["counts"].items() if v} == {
        "ORDERED": 1,
        "SHIPPED": 1,
        "BACK_ORDERED": 1,
    }


async def _received(world: World, packs: int) -> tuple[dict[str, object], dict[str, object]]:
    await world.lot("A", _month(6), 100)
    order = await world.release(packs)
    s = await world.shipped(order)
    lot = s["lots"][0]
    body = {"delivered_by": "D", "received_by": "R", "received_at": "2026-12-01T10:00:00Z",
            "lines": [{"line_id": lot["line_id"], "accepted_quantity": lot["quantity"],
                       "location_id": str(world.receiving_shelf)}]}  # fmt: skip
    r = await world.step(f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery", s, body,
                         token=world.storekeeper)  # fmt: skip
    assert r.status_code == 200, r.text
    return order, r.json()


async def test_a_receiver_returns_stock_against_its_shipment_and_the_supplier_receives_it(
    world: World,
) -> None:
    order, received = await _received(world, 4)
    line = received["lots"][0]["line_id"]
    path = f"/inbound-shipments/{received['shipment_id']}/returns"

    too_much = await world.call(
        "POST",
        path,
        {"lines": [{"line_id": line, "quantity": 21, "reason": "EXPIRED"}]},
        token=world.storekeeper,
    )
    made = await world.call("POST", path, {"lines": [
        {"line_id": line, "quantity": 10, "reason": "EXPIRED", "note": "Found expired"}]},
        token=world.storekeeper)  # fmt: skip
    assert too_much.status_code == 422
    assert made.status_code == 201, made.text
    ret = made.json()
    assert (ret["kind"], ret["status"], ret["returned_shipment_id"]) == (
        "RETURN",
        "ALLOCATED",
        received["shipment_id"],
    )
    assert (ret["supplying_facility_id"], ret["receiving_facility_id"]) == (
        str(world.receiver),
        str(world.supplier),
    )
    _, shipper_there = world.issuer.user(f"SHIPMENTS_EDIT|{world.receiver}")
    via_shipments = await world.step(f"/shipments/{ret['shipment_id']}/pick", ret,
                                     token=shipper_there)  # fmt: skip
    await world.answer(ret)
    ret = await world.ok("GET", f"/returns/{ret['shipment_id']}", token=world.storekeeper)
    shipped = await world.step(f"/returns/{ret['shipment_id']}/ship", ret, {},
                               token=world.storekeeper)  # fmt: skip
    assert shipped.status_code == 200, shipped.text
    lot = shipped.json()["lots"][0]
    pod = {"delivered_by": "D", "received_by": "Store", "received_at": "2026-12-02T10:00:00Z",
           "lines": [{"line_id": lot["line_id"], "accepted_quantity": 10,
                      "location_id": str(world.shelf)}]}  # fmt: skip
    back = await world.step(f"/customer-returns/{ret['shipment_id']}/receive", shipped.json(),
                            pod)  # fmt: skip

    assert via_shipments.status_code == 409
    assert back.status_code == 200 and back.json()["status"] == "RECEIVED"
    (ln,) = (await world.order(order["order_id"]))["lines"]
    assert (ln["received_quantity"], ln["returned_quantity"]) == (20, 10)
    kinds = [
        (k.rsplit(".", 2)[-2], e.get("kind"))
        for k, key, e in await world.events("fulfillment.shipments")
        if key == ret["shipment_id"]
    ]
    assert kinds == [("allocated", "RETURN"), ("shipped", "RETURN"), ("received", "RETURN")]
    again = await world.call(
        "POST",
        path,
        {"lines": [{"line_id": line, "quantity": 11, "reason": "EXCESS"}]},
        token=world.storekeeper,
    )
    assert again.status_code == 422  # only 10 of the 20 received are left to return


async def test_a_lot_inventory_could_not_reserve_is_dropped_and_part_packs_are_not_shipped(
    world: World,
) -> None:
    await world.lot("A", _month(2), 20)
    await world.lot("B", _month(4), 40)
    order = await world.release(10)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    s = (await world.step(f"/shipments/{s['shipment_id']}/allocate", s)).json()

    await world.answer(s, cut={"A": 20, "B": 7})  # A: nothing left; B: 23 of 30, 4 packs

    got = await world.ok("GET", f"/shipments/{s['shipment_id']}")
    assert [(lot["lot_code"], lot["quantity"]) for lot in got["lots"]] == [("B", 20)]
    assert got["items"][0]["unallocated"] == 30
    picked = await world.step(f"/shipments/{s['shipment_id']}/pick", got)
    shipped = await world.step(f"/shipments/{s['shipment_id']}/ship", picked.json(), {})
    lot = shipped.json()["lots"][0]
    pod = {"delivered_by": "D", "received_by": "R", "received_at": "2026-12-01T10:00:00Z",
           "lines": [{"line_id": lot["line_id"], "accepted_quantity": 20}]}  # fmt: skip
    r = await world.step(f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery",
                         shipped.json(), pod, token=world.storekeeper)  # fmt: skip
    assert r.status_code == 200, r.text
