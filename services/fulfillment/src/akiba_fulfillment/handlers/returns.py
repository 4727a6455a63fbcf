"""Returns: stock a store received, sent back to its supplier against the shipment it came on.

A return is a shipment the other way (kind RETURN): the returning store asks for it (its lots
reserved by inventory at once, from where it put them on receipt), ships it (the issue is
posted), and the supplier confirms it with a proof of delivery like any inbound shipment
(a customer return: accepted stock enters its ledger). The order counts what came back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from uuid import UUID, uuid4

from akiba_contracts.payloads import ReturnReason, ShipmentKind
from akiba_contracts.rights import Right
from akiba_fulfillment.domain.errors import InvalidReceipt, ShipmentConflict, ShipmentNotFound
from akiba_fulfillment.domain.shipments import (
    Delivery,
    Receipt,
    Shipment,
    ShipmentItem,
    ShipmentLot,
    ShipmentStatus,
    received,
)
from akiba_fulfillment.handlers import orders
from akiba_fulfillment.outbound import (
    shipment_allocated,
    shipment_cancelled,
    shipment_received,
    shipment_shipped,
)
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform.auth import CallerRights


@dataclass(frozen=True)
class ReturnLine:
    """Units of one received line to send back, and why."""

    quantity: int
    reason: ReturnReason
    note: str | None = None


def _now() -> datetime:
    return datetime.now(UTC)


async def create(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    lines: Mapping[UUID, ReturnLine],
) -> Shipment:
    """A return of part of a received shipment; inventory is asked to reserve it at once."""
    async with uow:
        original = await uow.shipments.get(shipment_id, lock=True)
        if original is None or not caller.allows(
            Right.PODS_VIEW, original.receiving_facility_id, None
        ):
            raise ShipmentNotFound(f"shipment {shipment_id} does not exist")
        orders.require(caller, Right.PODS_MANAGE, original.receiving_facility_id)
        if original.kind != ShipmentKind.ORDER or original.status != ShipmentStatus.RECEIVED:
            raise ShipmentConflict(
                f"shipment {original.shipment_code} is not a received delivery: nothing to return"
            )
        store = await uow.stock.facility(original.receiving_facility_id)
        if store is not None and store.site_id is not None:
            raise ShipmentConflict(
                f"store {store.code} is managed at a site: it returns from there"
            )
        lots = _lots(original, lines, await uow.shipments.returned(shipment_id))
        now = _now()
        s = Shipment(
            shipment_id=uuid4(), shipment_code=await uow.shipments.next_code(),
            order_id=original.order_id, supplying_facility_id=original.receiving_facility_id,
            receiving_facility_id=original.supplying_facility_id,
            status=ShipmentStatus.ALLOCATED, version=1, created_by=caller.actor, created_at=now,
            updated_at=now, items=_items(lots), lots=lots, kind=ShipmentKind.RETURN,
            returned_shipment_id=original.shipment_id,
        )  # fmt: skip
        await uow.shipments.save(s, {})
        uow.publish(shipment_allocated(s, caller.actor))
        await _step(uow, s, "return-created", caller.actor, now)
        await uow.commit()
    return s


async def ship(
    uow: FulfillmentUnitOfWork, caller: CallerRights, return_id: UUID, seen: int | None,
    carrier: str | None, note: str | None,
) -> Shipment:  # fmt: skip
    """The return leaves the store (picked and shipped at once: its lots were named)."""
    async with uow:
        s = await _locked(uow, caller, return_id, seen, Right.PODS_MANAGE, outbound=True)
        if not s.reservation_answered:
            raise ShipmentConflict(f"return {s.shipment_code} waits for inventory to reserve it")
        if not any(lot.quantity for lot in s.lots):
            raise ShipmentConflict(f"return {s.shipment_code} has nothing left to send: cancel it")
        now = _now()
        s = s.advanced(ShipmentStatus.PICKED, now).advanced(
            ShipmentStatus.SHIPPED, now, shipped_at=now, carrier=carrier, note=note
        )
        await uow.shipments.save(s)
        order = await orders.locked(uow, s.order_id)
        back = s.shipped_per_item()
        lines = tuple(
            replace(ln, returned=ln.returned + back.get(ln.orderable_id, 0)) for ln in order.lines
        )
        changed = order.with_lines(lines, await orders.progress(uow, order.order_id), now)
        uow.publish(shipment_shipped(s, changed, caller.actor))
        await orders.record(uow, changed, "return-shipped", caller.actor, now,
                            shipment_id=s.shipment_id)  # fmt: skip
        await uow.commit()
    return s


async def cancel(
    uow: FulfillmentUnitOfWork, caller: CallerRights, return_id: UUID, seen: int | None,
    reason: str | None,
) -> Shipment:  # fmt: skip
    """Cancel a return not yet shipped; its reservation is released."""
    async with uow:
        s = await _locked(uow, caller, return_id, seen, Right.PODS_MANAGE, outbound=True)
        now = _now()
        s = s.cancelled(reason, now)
        await uow.shipments.save(s)
        uow.publish(shipment_cancelled(s, caller.actor))
        await _step(uow, s, "return-cancelled", caller.actor, now, reason)
        await uow.commit()
    return s


async def receive(
    uow: FulfillmentUnitOfWork, caller: CallerRights, return_id: UUID, seen: int | None,
    delivery: Delivery, receipts: Mapping[UUID, Receipt],
) -> Shipment:  # fmt: skip
    """The supplier confirms the customer return: accepted stock enters its ledger."""
    async with uow:
        s = await _locked(uow, caller, return_id, seen, Right.SHIPMENTS_EDIT, outbound=False)
        wanted = {r.location_id for r in receipts.values() if r.location_id is not None}
        where = await uow.stock.locations_of(wanted)
        for location in wanted:
            if where.get(location) != s.receiving_facility_id:
                raise InvalidReceipt(f"location {location} is not an active location of the store")
        now = _now()
        s = s.advanced(ShipmentStatus.RECEIVED, now, lots=received(s.lots, receipts),
                       delivery=delivery)  # fmt: skip
        await uow.shipments.save(s)
        uow.publish(shipment_received(s, caller.actor))
        await _step(uow, s, "return-received", caller.actor, now)
        await uow.commit()
    return s


async def visible(
    uow: FulfillmentUnitOfWork, caller: CallerRights, return_id: UUID, right: Right
) -> Shipment:
    """A return as the store sending it (PODS_VIEW) or its supplier (SHIPMENTS_VIEW) sees it."""
    s = await uow.shipments.get(return_id)
    side = None if s is None else (
        s.supplying_facility_id if right == Right.PODS_VIEW else s.receiving_facility_id
    )  # fmt: skip
    if s is None or s.kind != ShipmentKind.RETURN or not caller.allows(right, side, None):
        raise ShipmentNotFound(f"return {return_id} does not exist")
    return s


async def _locked(
    uow: FulfillmentUnitOfWork, caller: CallerRights, return_id: UUID, seen: int | None,
    right: Right, *, outbound: bool,
) -> Shipment:  # fmt: skip
    s = await uow.shipments.get(return_id, lock=True)
    if s is None or s.kind != ShipmentKind.RETURN:
        raise ShipmentNotFound(f"return {return_id} does not exist")
    orders.require(caller, right, s.supplying_facility_id if outbound else s.receiving_facility_id)
    s.check_version(seen)
    return s


def _lots(
    original: Shipment, lines: Mapping[UUID, ReturnLine], returned: Mapping[UUID, int]
) -> tuple[ShipmentLot, ...]:
    by_id = {lot.line_id: lot for lot in original.lots}
    out = []
    for line_id, ask in lines.items():
        lot = by_id.get(line_id)
        if lot is None or lot.receipt is None:
            raise InvalidReceipt(f"line {line_id} is not on shipment {original.shipment_code}")
        left = lot.receipt.accepted - returned.get(line_id, 0)
        if not 0 < ask.quantity <= left:
            raise InvalidReceipt(
                f"line {line_id} ({lot.lot_code}): {ask.quantity} is more than the {left} units"
                " received and not yet returned"
            )
        out.append(replace(
            lot, line_id=uuid4(), location_id=lot.receipt.location_id, quantity=ask.quantity,
            expiring_soon=False, confirmed=False, receipt=None, return_reason=ask.reason,
            returned_line_id=line_id,
        ))  # fmt: skip
    return tuple(out)


def _items(lots: tuple[ShipmentLot, ...]) -> tuple[ShipmentItem, ...]:
    units: dict[UUID, int] = {}
    sizes: dict[UUID, int] = {}
    for lot in lots:
        units[lot.orderable_id] = units.get(lot.orderable_id, 0) + lot.quantity
        sizes[lot.orderable_id] = lot.pack_size
    return tuple(ShipmentItem(item, sizes[item], n) for item, n in units.items())


async def _step(
    uow: FulfillmentUnitOfWork, s: Shipment, step: str, actor: str, at: datetime,
    reason: str | None = None,
) -> None:  # fmt: skip
    order = await orders.locked(uow, s.order_id)
    changed = order.progressed(await orders.progress(uow, order.order_id), at)
    await orders.record(uow, changed, step, actor, at, shipment_id=s.shipment_id, reason=reason)
