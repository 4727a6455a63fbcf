"""Requisitions recorded at a site: each step the site forwards is applied once by the real
`sites` role, through central's own steps, or refused back to the site and dead-lettered."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest

from akiba_contracts.catalogue import dlq_name
from akiba_devtools.testing import wait_until
from akiba_devtools.testing.topics import read_topic

World = Any  # the `world` fixture (conftest.World)
Site = Any  # the `site` fixture (conftest.Site)
APPROVE = "REQUISITION_APPROVE"

# What the site's ledger gave each line (June: A=100, B=50, C=145, D=-5, out 11 days).
FIGURES = {
    "beginning_balance": 100, "received": 50, "consumed": 145, "losses_and_adjustments": -5,
    "stock_on_hand": 0, "stockout_days": 11, "total": 145, "adjusted_consumption": 229,
    "average_consumption": 229, "maximum_stock": 687,
}  # fmt: skip
SHOWN_AS = {
    "beginning_balance": "beginning_balance", "received": "total_received_quantity",
    "consumed": "total_consumed_quantity",
    "losses_and_adjustments": "total_losses_and_adjustments", "stock_on_hand": "stock_on_hand",
    "stockout_days": "total_stockout_days", "total": "total",
    "adjusted_consumption": "adjusted_consumption", "average_consumption": "average_consumption",
    "maximum_stock": "maximum_stock_quantity",
}  # fmt: skip


def _line(item: UUID, position: int, calculated: int, figures: dict[str, int]) -> dict[str, Any]:
    return {
        "orderable_id": item, "position": position, "full_supply": True, "pack_size": 10,
        "pack_rounding_threshold": 5, "round_to_zero": False, "price_per_pack": "2.50",
        "calculated": calculated, "figures": figures,
    }  # fmt: skip


async def _initiate(w: World, s: Site, rid: UUID, month: str = "2026-06", **ext: Any) -> Any:
    template = await w.pool.fetchval(
        "select template_id from templates where program_id = $1", w.program
    )
    lines = [_line(w.items[0], 0, 687, FIGURES), _line(w.items[1], 1, 0, {"stock_on_hand": 0})]
    return s.step(
        rid, "INITIATE", 0, kind="PROGRAM", program_id=w.program, period_id=w.periods[month],
        template_id=template, lines=lines, **ext,
    )  # fmt: skip


async def _refusals(w: World) -> dict[str, dict[str, Any]]:
    return {e["event_id"]: e for e in await w.events("requisition.site-refusals")}


async def test_a_site_requisition_waits_at_the_node_with_the_figures_the_site_computed(
    world: World, site: Site
) -> None:
    await world.build()
    rid = uuid4()
    steps = [
        await _initiate(world, site, rid),
        site.step(rid, "EDIT", 1, edits=[{"orderable_id": world.items[0], "requested": 700,
                                          "explanation": "whole packs"}]),
        site.step(rid, "SUBMIT", 2),
        site.step(rid, "AUTHORIZE", 3),
    ]  # fmt: skip
    await site.send(*steps)
    await site.handled(*steps)

    district = world.user(APPROVE, nodes=[(APPROVE, world.district)])
    doc = (await world.call("GET", f"/requisitions/{rid}", token=district)).json()
    assert (doc["status"], doc["node_id"], doc["version"]) == ("AUTHORIZED", str(world.district), 4)
    assert doc["created_by"] == "nurse@clinic"
    assert [(h["status"], h["actor"]) for h in doc["history"]] == [
        ("SUBMITTED", "nurse@clinic"), ("AUTHORIZED", "nurse@clinic"),
    ]  # fmt: skip
    line, idle = doc["lines"]
    assert {k: line[v] for k, v in SHOWN_AS.items()} == FIGURES
    assert (line["calculated_order_quantity"], line["requested_quantity"]) == (687, 700)
    assert (line["approved_quantity"], line["packs_to_ship"]) == (700, 70)
    assert Decimal(line["total_cost"]) == Decimal("175.00")
    assert (idle["stock_on_hand"], idle["calculated_order_quantity"]) == (0, 0)
    events = [e for e in await world.events() if e["requisition_id"] == str(rid)]
    assert [(e["status"], e["version"]) for e in events] == [
        ("INITIATED", 1), ("INITIATED", 2), ("SUBMITTED", 3), ("AUTHORIZED", 4),
    ]  # fmt: skip
    assert await _refusals(world) == {}

    staff = world.user("REQUISITION_CREATE")
    r = await world.call("POST", f"/requisitions/{rid}/submit", token=staff, version=4)
    assert r.status_code == 409 and str(site.site_id) in r.json()["detail"]
    body = {"facility_id": str(world.facility), "program_id": str(world.program)}
    r = await world.call("POST", "/requisitions/initiate", body, token=staff)
    assert r.status_code == 409 and str(site.site_id) in r.json()["detail"]
    r = await world.call("POST", f"/requisitions/{rid}/approve", token=district, version=4)
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["node_id"]) == ("IN_APPROVAL", str(world.region))


async def test_a_step_delivered_twice_applies_once(world: World, site: Site) -> None:
    await world.build(skip_authorization=True)
    rid = uuid4()
    initiate, submit = await _initiate(world, site, rid), site.step(rid, "SUBMIT", 1)
    await site.send(initiate, submit, submit)
    await site.handled(initiate, submit)
    again = site.step(rid, "DELETE", 3)  # after the repeat, in the requisition's order
    await site.send(submit, again)
    await site.handled(again)

    events = [e for e in await world.events() if e["requisition_id"] == str(rid)]
    assert [e["status"] for e in events] == ["INITIATED", "AUTHORIZED"]  # skips authorize
    assert await site.dead(again)  # an authorized requisition is no longer the store's
    assert "cannot be deleted" in (await _refusals(world))[again.id]["reason"]


async def test_a_stale_step_is_refused_back_to_the_site_and_changes_nothing(
    world: World, site: Site
) -> None:
    await world.build(periods_skippable=True)
    rid = uuid4()
    initiate, submit = await _initiate(world, site, rid), site.step(rid, "SUBMIT", 1)
    stale = site.step(rid, "SKIP", 1)  # taken offline on version 1, after the submit
    await site.send(initiate, submit, stale)
    await site.handled(initiate, submit, stale)

    refusal = (await _refusals(world))[stale.id]
    assert refusal["reason"] == "requisition is at version 2, not 1"
    assert refusal["site_id"] == str(site.site_id)
    assert (refusal["requisition_id"], refusal["facility_id"]) == (str(rid), str(world.facility))
    assert (refusal["step"], refusal["expected_version"]) == ("SKIP", 1)
    assert await site.dead(stale)
    dead = await read_topic(site.bootstrap, dlq_name("sites.requisition-events"), expect=1,
                            needle=stale.id)  # fmt: skip
    assert len(dead) == 1
    reason = dict(dead[0].headers)["akiba-dlq-reason"].decode()
    assert reason == "SiteStepRefused: requisition is at version 2, not 1"
    row = await world.pool.fetchrow(
        "select status, version from requisitions where requisition_id = $1", rid
    )
    assert (row["status"], row["version"]) == ("SUBMITTED", 2)


async def test_steps_central_cannot_take_are_each_refused(world: World, site: Site) -> None:
    await world.build()
    first, second, unknown, anonymous = uuid4(), uuid4(), uuid4(), uuid4()
    steps = [
        await _initiate(world, site, first),
        await _initiate(world, site, second),  # the same period again
        site.step(unknown, "SUBMIT", 1),
        site.step(anonymous, "INITIATE", 0, kind="INTERNAL_ORDER", siteid=None,
                  supplying_facility_id=world.warehouse),
    ]  # fmt: skip
    await site.send(*steps)
    await site.handled(*steps)

    refusals = await _refusals(world)
    assert set(refusals) == {e.id for e in steps[1:]}
    assert "has a requisition for that period already" in refusals[steps[1].id]["reason"]
    assert refusals[steps[2].id]["reason"] == f"requisition {unknown} does not exist"
    assert "siteid" in refusals[steps[3].id]["reason"]
    assert refusals[steps[3].id]["site_id"] is None
    ids = {r["requisition_id"] for r in await world.pool.fetch("select * from requisitions")}
    assert ids == {first}


async def test_an_internal_order_sent_from_a_site_is_approved_by_its_supplier(
    world: World, site: Site
) -> None:
    await world.build()
    rid = uuid4()
    order = site.step(
        rid, "INITIATE", 0, kind="INTERNAL_ORDER", supplying_facility_id=world.warehouse,
        max_months_of_stock="4", min_months_of_stock="2", comment="before the rains",
        lines=[_line(world.items[0], 0, 90, {"stock_on_hand": 30})],
    )  # fmt: skip
    steps = [order, site.step(rid, "SEND", 1)]
    await site.send(*steps)
    await site.handled(*steps)

    clerk = world.issuer.user(f"ORDERS_EDIT|{world.warehouse}", f"ORDERS_VIEW|{world.warehouse}")[1]
    path = f"/customer-requisitions/{rid}"
    doc = (await world.call("GET", path, token=clerk)).json()
    assert doc["customer_requisition_status"] == "NEW" and doc["comment"] == "before the rains"
    assert doc["lines"][0]["approved_quantity"] == 90
    r = await world.call("POST", f"{path}/approve", token=clerk, version=doc["version"])
    assert r.status_code == 200, r.text
    assert r.json()["customer_requisition_status"] == "APPROVED"


async def test_a_store_another_site_writes_refuses_a_step_unless_auth_sites_is_behind(
    world: World, site: Site, caplog: pytest.LogCaptureFixture
) -> None:
    await world.build()
    depot = uuid4()
    # Handed over to the depot: both records at one version.
    await world.learn(site.record(world.facility, version=2, site_id=depot), site.record(version=2))
    early = await _initiate(world, site, uuid4())
    await site.send(early)
    await site.handled(early)
    reason = (await _refusals(world))[early.id]["reason"]
    assert reason == f"this store's requisitions are recorded at its site {depot}"

    # Recorded after the store came back to the site, which central has not read yet: it waits.
    rid = uuid4()
    later = await _initiate(world, site, rid, siteversion=3)
    await site.send(later)

    def retried() -> bool:
        return any("waiting for auth.sites" in str(getattr(r, "error", "")) for r in caplog.records)

    await wait_until(retried, what="the step to be retried")
    await world.learn(site.record(world.facility, version=3), site.record(version=3, site_id=depot))
    await site.handled(later)
    assert not await site.dead(later)
    row = await world.pool.fetchrow("select * from requisitions where requisition_id = $1", rid)
    assert (row["status"], row["version"]) == ("INITIATED", 1)
