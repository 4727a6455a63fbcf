"""Fulfillment's shipments in the ledger through inventory's consumer, on a real database:
reserved (available drops, on hand does not), released, issued out of the reservation and
received at the receiver's location, each exactly once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.envelope import decode, new_event
from akiba_contracts.payloads import (
    Payload,
    ReceivedLot,
    RejectionReason,
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentLot,
    ShipmentReceived,
    ShipmentShipped,
)
from akiba_inventory.consumers import shipments
from akiba_platform import Delivery

from . import test_ledger_api
from .test_ledger_api import Store

NOW = datetime.now(UTC)
store = test_ledger_api.store  # the fixture: a store with an item and two shelves


def _delivery(p: Payload) -> Delivery:
    event = new_event(source="/t", type=p.event_type, subject="t", data=p,
                      partitionkey=p.partition_key())  # fmt: skip
    return Delivery(event, None, UUID(event.id))  # type: ignore[arg-type]


async def _apply(store: Store, *payloads: Payload) -> None:
    async with store.pool.acquire() as conn, conn.transaction():
        await shipments.apply(conn, [_delivery(p) for p in payloads])


def _lot(store: Store, batch: str, qty: int, location: UUID | None = None) -> ShipmentLot:
    return ShipmentLot(line_id=uuid4(), orderable_id=store.item, batch_id=UUID(batch),
                       lot_code="L1", expiry_date=None, location_id=location, quantity=qty,
                       packs=qty, pack_size=1)  # fmt: skip


def _allocated(store: Store, shipment: UUID, *lots: ShipmentLot) -> ShipmentAllocated:
    return ShipmentAllocated(shipment_id=shipment, order_id=uuid4(),
                             supplying_facility_id=store.id, version=2, lots=list(lots),
                             actor="dispatcher", at=NOW)  # fmt: skip


def _shipped(store: Store, shipment: UUID, to: UUID, *lots: ShipmentLot) -> ShipmentShipped:
    return ShipmentShipped(
        shipment_id=shipment, shipment_code="SHP-1", order_id=uuid4(), order_code="ORD-1",
        requisition_id=None, program_id=None, supplying_facility_id=store.id,
        receiving_facility_id=to, version=4, lots=list(lots), actor="dispatcher",
        shipped_at=datetime.now(UTC),  # after the receipt it ships from
    )  # fmt: skip


async def _line(store: Store) -> tuple[int, int]:
    row = await store.pool.fetchrow(
        "select sum(quantity) q, sum(reserved) r from stock_on_hand where store_id = $1", store.id
    )
    return int(row["q"]), int(row["r"])


async def _events(store: Store, topic: str) -> list[dict[str, Any]]:
    rows = await store.pool.fetch("select value from outbox where topic = $1 order by id", topic)
    return [decode(r["value"]).data or {} for r in rows]


async def test_an_allocation_reserves_available_stock_and_answers_with_what_it_got(
    store: Store,
) -> None:
    batch = (await store.receive(30))["batch_id"]
    shipment = uuid4()

    await _apply(store, _allocated(store, shipment, _lot(store, batch, 20)))
    second = uuid4()
    await _apply(store, _allocated(store, second, _lot(store, batch, 20)))

    assert await _line(store) == (30, 30)  # on hand unchanged, everything reserved
    answers = await _events(store, "inventory.reservations")
    assert [(a["lines"][0]["requested"], a["lines"][0]["reserved"]) for a in answers] == [
        (20, 20),
        (20, 10),
    ]
    level = (await _events(store, "inventory.stock-levels"))[-1]
    assert (level["quantity_on_hand"], level["reserved"]) == (30, 30)
    issue = await store.post("issues", {"lines": [store.line(batch, 1)]})
    assert issue.status_code == 409  # reserved stock is not available to anyone else


async def test_cancelling_releases_the_reservation(store: Store) -> None:
    batch = (await store.receive(30))["batch_id"]
    shipment = uuid4()
    await _apply(store, _allocated(store, shipment, _lot(store, batch, 20)))

    await _apply(store, ShipmentCancelled(shipment_id=shipment, order_id=uuid4(),
                                          supplying_facility_id=store.id, version=3,
                                          reason=None, actor="d", at=NOW))  # fmt: skip

    assert await _line(store) == (30, 0)


async def test_shipping_issues_the_reserved_units_once_and_the_card_shows_it(
    store: Store,
) -> None:
    batch = (await store.receive(30))["batch_id"]
    shipment, lot = uuid4(), _lot(store, batch, 20)
    await _apply(store, _allocated(store, shipment, lot))
    shipped = _shipped(store, shipment, uuid4(), lot)

    await _apply(store, shipped)
    await _apply(store, shipped)  # the same step again under another event id

    assert await _line(store) == (10, 0)
    sums = await store.pool.fetchval(
        "select sum(quantity) from stock_movements where store_id = $1", store.id
    )
    assert sums == 10  # SOH = Σ ledger
    card = await store.card()
    last = card["rows"][-1]
    assert (last["movement_type"], last["quantity"]) == ("shipment_out", -20)


async def test_a_central_receiver_gets_the_accepted_units_at_its_chosen_location(
    store: Store,
) -> None:
    batch = (await store.receive(30))["batch_id"]
    shipment = uuid4()
    received = ShipmentReceived(
        shipment_id=shipment, shipment_code="SHP-9", order_id=uuid4(),
        supplying_facility_id=uuid4(), receiving_facility_id=store.id, version=5,
        lots=[ReceivedLot(line_id=uuid4(), orderable_id=store.item, batch_id=UUID(batch),
                          lot_code="L1", expiry_date=None, shipped_quantity=12,
                          accepted_quantity=10, rejected_quantity=2,
                          rejection_reason=RejectionReason.DAMAGED,
                          location_id=store.shelf_b)],
        delivered_by="Driver", received_by="Nurse", received_at=NOW, posted_at_site=False,
        actor="nurse", at=NOW,
    )  # fmt: skip

    await _apply(store, received)
    await _apply(store, received)

    row = await store.pool.fetchrow(
        "select quantity, movement_type from stock_movements where store_id = $1"
        " and location_id = $2",
        store.id,
        store.shelf_b,
    )
    assert (row["quantity"], row["movement_type"]) == (10, "shipment_in")
    assert await _line(store) == (40, 0)


async def test_a_receipt_a_site_posted_itself_posts_nothing_centrally(store: Store) -> None:
    batch = (await store.receive(30))["batch_id"]
    received = ShipmentReceived(
        shipment_id=uuid4(), shipment_code="SHP-9", order_id=uuid4(),
        supplying_facility_id=uuid4(), receiving_facility_id=store.id, version=5,
        lots=[ReceivedLot(line_id=uuid4(), orderable_id=store.item, batch_id=UUID(batch),
                          lot_code="L1", expiry_date=None, shipped_quantity=12,
                          accepted_quantity=12, rejected_quantity=0, location_id=None)],
        delivered_by="Driver", received_by="Nurse", received_at=NOW, posted_at_site=True,
        actor="nurse", at=NOW,
    )  # fmt: skip

    await _apply(store, received)

    assert await _line(store) == (30, 0)
