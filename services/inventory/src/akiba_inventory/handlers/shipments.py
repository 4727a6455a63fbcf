"""Shipments in the ledger: reserved when allocated, issued when shipped, received at the
proof of delivery.

Allocation is fulfillment's (FEFO over its read model of the levels); inventory is the gate:
it reserves of each line at most what is available and says so, so a line is never reserved
beyond its stock however allocations race. The issue is posted when the shipment ships, not
when it is picked: picked stock is still on the shelf (on hand, reserved) until the truck
leaves, and the stock card shows one SHIPMENT_OUT per lot on the day it left.
"""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from akiba_contracts.payloads import (
    ShipmentAllocated,
    ShipmentCancelled,
    ShipmentReceived,
    ShipmentShipped,
)
from akiba_inventory.adapters.ledger import Level
from akiba_inventory.adapters.reservations import Wanted
from akiba_inventory.handlers.checks import central_store, check_locations, load_batches
from akiba_inventory.handlers.posting import post_and_publish
from akiba_inventory.outbound import level_changed, stock_reserved
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import current_traceparent
from akiba_stock import model
from akiba_stock.errors import InvalidMovement
from akiba_stock.ledger import LedgerKind, StockLine
from akiba_stock.model import ShipmentLine


async def reserve(uow: InventoryUnitOfWork, e: ShipmentAllocated) -> None:
    """Reserve each allocated lot, as far as it is available, and answer with what was."""
    if not await uow.reservations.first_time(e.shipment_id, "allocated"):
        return
    store = await central_store(uow, e.supplying_facility_id)
    wanted = [
        Wanted(
            lot.line_id,
            StockLine(store.store_id, lot.orderable_id, lot.batch_id, lot.location_id),
            lot.quantity,
        )
        for lot in e.lots
    ]
    got = await uow.reservations.reserve(e.shipment_id, wanted)
    await _publish_levels(uow, [r.level for r in got if r.level is not None])
    uow.publish(stock_reserved(e.shipment_id, store.store_id, got, datetime.now(UTC)))


async def release(uow: InventoryUnitOfWork, e: ShipmentCancelled) -> None:
    """Release what a cancelled shipment held."""
    if not await uow.reservations.first_time(e.shipment_id, "cancelled"):
        return
    await central_store(uow, e.supplying_facility_id)
    await _publish_levels(uow, await uow.reservations.release(e.shipment_id))


async def issue(uow: InventoryUnitOfWork, e: ShipmentShipped) -> None:
    """Post the shipment's lots leaving the supplier, out of what they had reserved."""
    if not await uow.reservations.first_time(e.shipment_id, "shipped"):
        return
    store = await central_store(uow, e.supplying_facility_id)
    released = await uow.reservations.release(e.shipment_id)
    lines = await _lines(
        uow, [(lot.batch_id, lot.orderable_id, lot.location_id, lot.quantity) for lot in e.lots]
    )
    movements = model.shipment_movements(
        LedgerKind.SHIPMENT_OUT,
        store.store_id,
        lines,
        store.next_sequence,
        e.shipped_at,
        datetime.now(UTC),
        e.actor,
        f"shipment {e.shipment_code}",
        str(e.receiving_facility_id),
    )
    posted = await post_and_publish(uow, movements)
    touched = {lv.line for lv in posted}
    await _publish_levels(uow, [lv for lv in released if lv.line not in touched])


async def receive(uow: InventoryUnitOfWork, e: ShipmentReceived) -> None:
    """Post the accepted units into the receiver's chosen locations (a site posts its own)."""
    if e.posted_at_site or not await uow.reservations.first_time(e.shipment_id, "received"):
        return
    store = await central_store(uow, e.receiving_facility_id)
    accepted = [lot for lot in e.lots if lot.accepted_quantity > 0]
    await check_locations(uow, store, {lot.location_id for lot in accepted})
    lines = await _lines(
        uow,
        [
            (lot.batch_id, lot.orderable_id, lot.location_id, lot.accepted_quantity)
            for lot in accepted
        ],
    )
    movements = model.shipment_movements(
        LedgerKind.SHIPMENT_IN,
        store.store_id,
        lines,
        store.next_sequence,
        e.received_at,
        datetime.now(UTC),
        e.actor,
        f"shipment {e.shipment_code}",
        str(e.supplying_facility_id),
    )
    if movements:
        await post_and_publish(uow, movements)


# A lot on a shipment: batch, item, location and units.
Lot = tuple[UUID | None, UUID, UUID | None, int]


async def _lines(uow: InventoryUnitOfWork, lots: list[Lot]) -> list[ShipmentLine]:
    """Shipment lines with their batches; every lot must name a batch of its item."""
    wanted: dict[UUID, UUID] = {}
    named: list[tuple[UUID, UUID | None, int]] = []
    for batch_id, item_id, location_id, quantity in lots:
        if batch_id is None:
            raise InvalidMovement("a shipped lot must name its batch")
        wanted[batch_id] = item_id
        named.append((batch_id, location_id, quantity))
    batches = await load_batches(uow, wanted)
    return [ShipmentLine(batches[b], location_id, q) for b, location_id, q in named]


async def _publish_levels(uow: InventoryUnitOfWork, levels: list[Level]) -> None:
    """The levels of lines a reservation changed (no movement: they name the line's last)."""
    last = await uow.ledger.last_movements(levels)
    trace = current_traceparent()
    uow.publish(*(level_changed(lv, last[lv.line], trace) for lv in levels))
