"""Proofs of delivery confirmed at the receiver's site: applied once through the same receipt
code as central's route, or refused back to the site; a read model behind means retry later."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

import pytest

from akiba_contracts.envelope import new_event
from akiba_contracts.payloads import FacilityChanged, SiteShipmentReceived
from akiba_contracts.payloads.reference import ManagedBy
from akiba_fulfillment.consumers import sites
from akiba_platform import Delivery, TransientError

from .conftest import NOW, World

SITE = uuid4()


def _managed(world: World, site: UUID | None) -> FacilityChanged:
    return FacilityChanged(
        store_id=world.receiver, code="HF-1", name="HF-1",
        managed_by=ManagedBy.CENTRAL if site is None else ManagedBy.SITE, site_id=site,
        active=True, version=2, changed_at=NOW,
    )  # fmt: skip


def _proof(world: World, s: dict[str, Any], version: int | None = None, **line: Any) -> Any:
    (lot,) = s["lots"]
    return SiteShipmentReceived.model_validate({
        "shipment_id": s["shipment_id"], "receiving_facility_id": str(world.receiver),
        "expected_version": version or s["version"], "delivered_by": "Driver",
        "received_by": "Nurse", "received_at": datetime.now(UTC), "actor": "nurse",
        "at": datetime.now(UTC),
        "lines": [{"line_id": lot["line_id"], "accepted_quantity": lot["quantity"] - 5,
                   "rejected_quantity": 5, "rejection_reason": "DAMAGED",
                   "location_id": str(world.receiving_shelf)} | line],
    })  # fmt: skip


async def _apply(world: World, pod: SiteShipmentReceived, site: UUID | None = SITE) -> list[str]:
    event = new_event(
        source=f"/akiba/sites/{site}", type=pod.event_type, subject="t", data=pod,
        partitionkey=pod.partition_key(), siteid=None if site is None else str(site),
    )  # fmt: skip
    async with world.pool.acquire() as conn, conn.transaction():
        refused = await sites.apply(conn, [Delivery(event, None, UUID(event.id))])  # type: ignore[arg-type]
    return [r.reason for r in refused]


async def _shipped_to_site(world: World) -> tuple[dict[str, Any], dict[str, Any]]:
    await world.feed(_managed(world, SITE))
    await world.lot("A", None, 100)
    order = await world.release(10)
    return order, await world.shipped(order, packs=4)


async def test_a_site_proof_is_applied_once_marked_posted_at_the_site(world: World) -> None:
    order, s = await _shipped_to_site(world)

    assert await _apply(world, _proof(world, s)) == []
    again = await _apply(world, _proof(world, s))

    done = await world.order(order["order_id"])
    (line,) = done["lines"]
    assert (line["received_quantity"], line["rejected_quantity"]) == (15, 5)
    received = [e for t, _, e in await world.events("fulfillment.shipments") if "received" in t]
    assert len(received) == 1 and received[0]["posted_at_site"] is True
    assert received[0]["lots"][0]["rejection_reason"] == "DAMAGED"
    # The same event again is the inbox's to skip; another proof on the old version is stale.
    assert len(again) == 1 and "is at version 5, not 4" in again[0]


async def test_central_still_refuses_to_receive_for_a_site_managed_store(world: World) -> None:
    _, s = await _shipped_to_site(world)
    (lot,) = s["lots"]
    line = {"line_id": lot["line_id"], "accepted_quantity": lot["quantity"]}
    body = {
        "delivered_by": "D",
        "received_by": "N",
        "received_at": NOW.isoformat(),
        "lines": [line],
    }

    r = await world.step(
        f"/inbound-shipments/{s['shipment_id']}/proof-of-delivery", s, body,
        token=world.storekeeper,
    )  # fmt: skip

    assert r.status_code == 409 and "managed at a site" in r.text


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"version": 2}, "is at version"),
        ({"line": {"accepted_quantity": 1}}, "must equal shipped"),
        ({"line": {"rejection_reason": None}}, "a rejection needs a reason"),
        ({"unknown": True}, "does not exist"),
        ({"site": None}, "siteid"),
        ({"site": uuid4()}, "another site"),
    ],
)
async def test_a_proof_that_can_never_apply_is_refused_back_to_the_site(
    world: World, change: dict[str, Any], why: str
) -> None:
    order, s = await _shipped_to_site(world)
    pod = _proof(world, s, change.get("version"), **change.get("line", {}))
    if change.get("unknown"):
        pod = pod.model_copy(update={"shipment_id": uuid4()})

    reasons = await _apply(world, pod, change.get("site", SITE))

    assert len(reasons) == 1 and why in reasons[0]
    refusals = await world.events("fulfillment.site-refusals")
    assert [(e["shipment_id"], why in e["reason"]) for _, _, e in refusals] == [
        (str(pod.shipment_id), True)
    ]
    assert (await world.order(order["order_id"]))["lines"][0]["received_quantity"] == 0


async def test_a_store_not_yet_known_as_the_sites_is_retried_not_refused(world: World) -> None:
    _, s = await _shipped_to_site(world)
    await world.feed(_managed(world, None).model_copy(update={"version": 3}))

    with pytest.raises(TransientError):
        await _apply(world, _proof(world, s))

    assert await world.events("fulfillment.site-refusals") == []
