"""Program requisitions through the API: computed from the ledger, approved up a three-level
tree to the node with the supply line, released to an order; rejection, races, rights."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

from akiba_contracts.payloads import MovementType as M
from akiba_contracts.payloads import SupplyLineChanged

World = Any  # the `world` fixture (conftest.World)

CREATE, AUTHORIZE, APPROVE = "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_APPROVE"
VIEW, DELETE = "REQUISITION_VIEW", "REQUISITION_DELETE"


async def _june_ledger(w: World) -> None:
    item = w.items[0]
    await w.move(w.facility, item, M.RECEIPT, 100, date(2026, 5, 20))
    await w.move(w.facility, item, M.ADJUSTMENT_NEGATIVE, -5, date(2026, 6, 5))
    await w.move(w.facility, item, M.RECEIPT, 50, date(2026, 6, 10))
    await w.move(w.facility, item, M.ISSUE, -120, date(2026, 6, 12))
    await w.move(w.facility, item, M.ISSUE, -25, date(2026, 6, 20))  # out from the 20th


async def _initiated(w: World, token: str, **body: Any) -> dict[str, Any]:
    r = await w.call(
        "POST", "/requisitions/initiate",
        {"facility_id": str(w.facility), "program_id": str(w.program), **body}, token=token,
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.headers["etag"] == f'"{r.json()["version"]}"'
    made: dict[str, Any] = r.json()
    return made


async def _step(w: World, doc: dict[str, Any], step: str, token: str, body: Any = None) -> Any:
    path = f"/requisitions/{doc['requisition_id']}/{step}"
    r = await w.call("POST", path, body, token=token, version=doc["version"])
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_requisition_is_computed_line_by_line_from_the_ledger(world: World) -> None:
    await world.build()
    await _june_ledger(world)
    doc = await _initiated(world, world.user(CREATE))
    assert doc["period_id"] == world.periods["2026-06"] and doc["status"] == "INITIATED"
    line, idle = doc["lines"]
    # A=100, B=50, D=-5, E=0 → C=145; out 11 of 30 days → N=ceil(145*30/19)=229=P; H=687; I=687
    assert {k: line[k] for k in (
        "beginning_balance", "total_received_quantity", "total_losses_and_adjustments",
        "stock_on_hand", "total_consumed_quantity", "total_stockout_days",
        "adjusted_consumption", "average_consumption", "maximum_stock_quantity",
        "calculated_order_quantity", "packs_to_ship")} == {
        "beginning_balance": 100, "total_received_quantity": 50,
        "total_losses_and_adjustments": -5, "stock_on_hand": 0, "total_consumed_quantity": 145,
        "total_stockout_days": 11, "adjusted_consumption": 229, "average_consumption": 229,
        "maximum_stock_quantity": 687, "calculated_order_quantity": 687, "packs_to_ship": 69,
    }  # fmt: skip
    assert Decimal(line["total_cost"]) == Decimal("172.50")  # 69 packs x 2.50
    assert (idle["stock_on_hand"], idle["total_stockout_days"]) == (0, 30)
    assert (idle["calculated_order_quantity"], idle["packs_to_ship"]) == (0, 0)


async def test_earlier_periods_in_stock_are_averaged_into_p(world: World) -> None:
    await world.build(periods_skippable=True)
    item = world.items[0]
    await world.move(world.facility, item, M.RECEIPT, 1000, date(2026, 5, 31))
    for month, used in ((6, 100), (7, 151), (8, 90)):
        await world.move(world.facility, item, M.ISSUE, -used, date(2026, month, 15))
    creator = world.user(CREATE)
    for _ in ("2026-06", "2026-07"):
        await _step(world, await _initiated(world, creator), "skip", creator)
    august = await _initiated(world, creator)
    assert august["period_id"] == world.periods["2026-08"]
    line = august["lines"][0]
    assert (line["adjusted_consumption"], line["average_consumption"]) == (90, 114)  # ⌈341/3⌉


async def test_approval_climbs_the_tree_to_the_node_with_the_supply_line_and_is_released(
    world: World,
) -> None:
    await world.build()
    await _june_ledger(world)
    district = world.user(APPROVE, VIEW, nodes=[(APPROVE, world.district)])
    regional = world.user(APPROVE, VIEW, nodes=[(APPROVE, world.region)])
    doc = await _initiated(world, world.user(CREATE))
    doc = await _step(world, doc, "submit", world.user(CREATE))
    doc = await _step(world, doc, "authorize", world.user(AUTHORIZE))
    assert (doc["status"], doc["node_id"]) == ("AUTHORIZED", str(world.district))
    assert doc["lines"][0]["approved_quantity"] == 687  # starts as calculated

    waiting = await world.call("GET", "/requisitions/for-approval", token=regional)
    assert waiting.json()["total"] == 0
    doc = await _step(world, doc, "approve", district)
    assert (doc["status"], doc["node_id"]) == ("IN_APPROVAL", str(world.region))
    refused = await world.call("POST", f"/requisitions/{doc['requisition_id']}/approve",
                               token=district, version=doc["version"])  # fmt: skip
    assert refused.status_code == 403
    waiting = await world.call("GET", "/requisitions/for-approval", token=regional)
    assert [x["requisition_id"] for x in waiting.json()["items"]] == [doc["requisition_id"]]

    edits = {"lines": [{"orderable_id": str(world.items[0]), "approved_quantity": 700,
                        "remarks": "rounded up to whole packs"}]}  # fmt: skip
    r = await world.call("PUT", f"/requisitions/{doc['requisition_id']}/lines", edits,
                         token=regional, version=doc["version"])  # fmt: skip
    assert r.status_code == 200, r.text
    doc = await _step(world, r.json(), "approve", regional)
    assert doc["status"] == "APPROVED"  # at the region: the national node never sees it
    assert doc["supplying_facility_id"] == str(world.warehouse)

    clerk = world.issuer.user(f"ORDERS_EDIT|{world.warehouse}")[1]
    doc = await _step(world, doc, "release", clerk, {})
    assert doc["status"] == "RELEASED"
    events = await world.events()
    assert [e["status"] for e in events if "status" in e] == [
        "INITIATED",
        "SUBMITTED",
        "AUTHORIZED",
        "IN_APPROVAL",
        "IN_APPROVAL",  # the regional approver's edit: the version moved, the status did not
        "APPROVED",
        "RELEASED",
    ]
    approved = next(e for e in events if e.get("status") == "APPROVED")
    first = approved["lines"][0]
    assert (first["orderable_id"], first["approved"], first["remarks"]) == (
        str(world.items[0]),
        700,
        "rounded up to whole packs",
    )  # the decision carries its approved quantities (what a site's feed brings back)
    order = next(e for e in events if e["type"] == "org.akiba.requisition.released.v1")
    assert order["supplying_facility_id"] == str(world.warehouse)
    assert order["requesting_facility_id"] == str(world.facility)
    assert (order["period_start"], order["period_end"]) == ("2026-06-01", "2026-06-30")
    assert [(x["approved_quantity"], x["packs"], x["pack_size"]) for x in order["lines"]] == [
        (700, 70, 10)
    ]  # the idle line asks nothing and is not ordered


async def test_a_rejected_requisition_goes_back_editable_and_is_resubmitted(world: World) -> None:
    await world.build()
    creator, authorizer = world.user(CREATE), world.user(AUTHORIZE)
    district = world.user(APPROVE, nodes=[(APPROVE, world.district)])
    doc = await _initiated(world, creator)
    doc = await _step(world, await _step(world, doc, "submit", creator), "authorize", authorizer)
    doc = await _step(world, doc, "reject", district, {"reason": "consumption looks too high"})
    assert doc["status"] == "REJECTED" and doc["history"][-1]["reason"].startswith("consumption")
    assert all(x["approved_quantity"] is None for x in doc["lines"])
    edit = {"lines": [{"orderable_id": str(world.items[1]), "requested_quantity": 40,
                       "explanation": "new outreach site"}]}  # fmt: skip
    r = await world.call("PUT", f"/requisitions/{doc['requisition_id']}/lines", edit,
                         token=creator, version=doc["version"])  # fmt: skip
    assert r.status_code == 200, r.text
    assert (await _step(world, r.json(), "submit", creator))["status"] == "SUBMITTED"


async def test_a_requested_quantity_other_than_calculated_needs_a_reason(world: World) -> None:
    await world.build()
    creator = world.user(CREATE)
    doc = await _initiated(world, creator)
    edit = {"lines": [{"orderable_id": str(world.items[1]), "requested_quantity": 40}]}
    r = await world.call("PUT", f"/requisitions/{doc['requisition_id']}/lines", edit,
                         token=creator, version=doc["version"])  # fmt: skip
    r = await world.call("POST", f"/requisitions/{doc['requisition_id']}/submit",
                         token=creator, version=r.json()["version"])  # fmt: skip
    assert r.status_code == 422 and "say why" in r.json()["detail"]


async def test_two_approvers_at_once_one_wins_and_the_other_gets_409(world: World) -> None:
    await world.build()
    creator, district = world.user(CREATE), world.user(APPROVE, nodes=[(APPROVE, world.district)])
    doc = await _initiated(world, creator)
    doc = await _step(world, await _step(world, doc, "submit", creator), "authorize",
                      world.user(AUTHORIZE))  # fmt: skip
    path = f"/requisitions/{doc['requisition_id']}/approve"
    outcomes = await asyncio.gather(
        *(world.call("POST", path, token=district, version=doc["version"]) for _ in range(2))
    )
    assert sorted(r.status_code for r in outcomes) == [200, 409]


async def test_writes_need_if_match_and_a_stale_one_is_refused(world: World) -> None:
    await world.build()
    creator = world.user(CREATE)
    doc = await _initiated(world, creator)
    path = f"/requisitions/{doc['requisition_id']}/submit"
    assert (await world.call("POST", path, token=creator)).status_code == 428
    assert (
        await world.call("POST", path, token=creator, version=doc["version"] + 5)
    ).status_code == 409


async def test_the_next_period_waits_until_the_previous_one_is_authorized(world: World) -> None:
    await world.build()
    creator = world.user(CREATE)
    june = await _initiated(world, creator)
    body = {"facility_id": str(world.facility), "program_id": str(world.program)}
    again = await world.call("POST", "/requisitions/initiate", body, token=creator)
    assert again.status_code == 409
    june = await _step(world, june, "submit", creator)
    assert (
        await world.call(
            "POST",
            "/requisitions/initiate",
            {"facility_id": str(world.facility), "program_id": str(world.program)},
            token=creator,
        )
    ).status_code == 409  # submitted is not yet authorized
    await _step(world, june, "authorize", world.user(AUTHORIZE))
    july = await _initiated(world, creator)
    assert july["period_id"] == world.periods["2026-07"]
    periods = await world.call("GET", "/requisitions/periods", token=creator, **body)
    assert periods.json()["regular"]["period_id"] == world.periods["2026-07"]


async def test_an_emergency_requisition_has_only_the_chosen_lines_and_no_calculation(
    world: World,
) -> None:
    await world.build()
    await _june_ledger(world)
    doc = await _initiated(world, world.user(CREATE), emergency=True,
                           orderable_ids=[str(world.items[0])])  # fmt: skip
    assert doc["emergency"] and doc["period_id"] == world.periods["2026-12"]
    assert [(x["orderable_id"], x["calculated_order_quantity"]) for x in doc["lines"]] == [
        (str(world.items[0]), 0)
    ]


async def test_each_step_needs_its_right_at_its_scope(world: World) -> None:
    await world.build()
    elsewhere = world.issuer.user(f"{CREATE}|{world.warehouse}|{world.program}")[1]
    body = {"facility_id": str(world.facility), "program_id": str(world.program)}
    r = await world.call("POST", "/requisitions/initiate", body, token=elsewhere)
    assert r.status_code == 403
    creator = world.user(CREATE, DELETE)
    doc = await _initiated(world, creator)
    path = f"/requisitions/{doc['requisition_id']}"
    doc = await _step(world, doc, "submit", creator)
    r = await world.call("POST", f"{path}/authorize", token=creator, version=doc["version"])
    assert r.status_code == 403  # creating is not authorizing
    outsider = world.issuer.user(f"{VIEW}|{world.warehouse}|{world.program}")[1]
    assert (await world.call("GET", path, token=outsider)).status_code == 403
    assert (await world.call("GET", path, token=world.user(VIEW))).status_code == 200
    r = await world.call("DELETE", path, token=creator, version=doc["version"])
    assert r.status_code == 409  # submitted: no longer the facility's to delete


async def test_a_requisition_its_facility_holds_can_be_deleted(world: World) -> None:
    await world.build()
    creator = world.user(CREATE, DELETE)
    doc = await _initiated(world, creator)
    path = f"/requisitions/{doc['requisition_id']}"
    assert (
        await world.call("DELETE", path, token=creator, version=doc["version"])
    ).status_code == 204
    assert (await world.call("GET", path, token=world.user(VIEW))).status_code == 404
    assert (await world.events())[-1]["status"] == "DELETED"


async def test_batch_approval_approves_each_on_its_own_and_says_how_each_went(
    world: World,
) -> None:
    await world.build()
    creator, authorizer = world.user(CREATE), world.user(AUTHORIZE)
    district = world.user(APPROVE, nodes=[(APPROVE, world.district)])
    ready = []
    for _ in range(3):
        doc = await _initiated(world, creator, emergency=True, orderable_ids=[str(world.items[0])])
        edit = {"lines": [{"orderable_id": str(world.items[0]), "requested_quantity": 30}]}
        r = await world.call("PUT", f"/requisitions/{doc['requisition_id']}/lines", edit,
                             token=creator, version=doc["version"])  # fmt: skip
        doc = await _step(world, r.json(), "submit", creator)
        ready.append(await _step(world, doc, "authorize", authorizer))
    stale, fine, changed = ready
    body = {"requisitions": [
        {"requisition_id": stale["requisition_id"], "version": stale["version"] - 1},
        {"requisition_id": fine["requisition_id"], "version": fine["version"]},
        {"requisition_id": changed["requisition_id"], "version": changed["version"],
         "lines": [{"orderable_id": str(world.items[0]), "approved_quantity": 20}]},
        {"requisition_id": str(world.facility), "version": 1},
    ]}  # fmt: skip
    r = await world.call("POST", "/requisitions/batch-approve", body, token=district)
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [409, 200, 200, 404]
    assert results[1]["requisition_status"] == "IN_APPROVAL"
    got = await world.call("GET", f"/requisitions/{changed['requisition_id']}",
                           token=world.user(VIEW))  # fmt: skip
    assert got.json()["lines"][0]["approved_quantity"] == 20


async def test_approval_at_a_node_whose_supplier_fulfils_locally_releases_the_order_at_once(
    world: World,
) -> None:
    await world.build()
    await world.learn(SupplyLineChanged(
        supply_line_id=uuid4(), supervisory_node_id=world.district, program_id=world.program,
        supplying_facility_id=world.warehouse, description="the district store serves itself",
        active=True, local_fulfillment=True, version=1, changed_at=datetime.now(UTC),
    ))  # fmt: skip
    await _june_ledger(world)
    district = world.user(APPROVE, nodes=[(APPROVE, world.district)])
    doc = await _initiated(world, world.user(CREATE))
    doc = await _step(world, doc, "submit", world.user(CREATE))
    doc = await _step(world, doc, "authorize", world.user(AUTHORIZE))
    doc = await _step(world, doc, "approve", district)
    assert (doc["status"], doc["supplying_facility_id"]) == ("RELEASED", str(world.warehouse))
    assert [h["status"] for h in doc["history"]][-2:] == ["APPROVED", "RELEASED"]
    events = await world.events()
    order = next(e for e in events if e["type"] == "org.akiba.requisition.released.v1")
    assert (order["released_by"], order["version"]) == (doc["history"][-1]["actor"], doc["version"])
    assert [e["status"] for e in events if "status" in e][-2:] == ["APPROVED", "RELEASED"]
