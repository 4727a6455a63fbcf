"""Shipments of an order: created, allocated FEFO, picked, shipped or cancelled at the supplier,
received with a proof of delivery at the receiver; inventory's answers to reservations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from uuid import UUID, uuid4

from akiba_contracts.payloads import ShipmentKind, StockReserved
from akiba_contracts.rights import Right
from akiba_fulfillment.domain.allocation import LineToAllocate, Rules, allocate_shipment
from akiba_fulfillment.domain.errors import (
    Forbidden,
    InvalidOrder,
    InvalidReceipt,
    ShipmentConflict,
    ShipmentNotFound,
)
from akiba_fulfillment.domain.orders import Order, OrderLine
from akiba_fulfillment.domain.shipments import (
    PREPARING,
    Delivery,
    Receipt,
    Shipment,
    ShipmentItem,
    ShipmentLot,
    ShipmentStatus,
    SitePod,
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
from akiba_platform import TransientError
from akiba_platform.auth import CallerRights


@dataclass(frozen=True)
class AllocationTerms:
    """How far ahead to look when choosing lots."""

    lead_time_days: int
    min_shelf_life_days: int
    warning_days: int


def _now() -> datetime:
    return datetime.now(UTC)


async def create(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    order_id: UUID,
    packs: Mapping[UUID, int] | None,
) -> Shipment:
    """A NEW shipment of an order: the packs asked per item, or all that is still open."""
    async with uow:
        order = await orders.locked(uow, order_id)
        orders.require(caller, Right.SHIPMENTS_EDIT, order.supplying_facility_id)
        open_units = await _open_units(uow, order)
        items = _items(order, open_units, packs)
        now = _now()
        shipment = Shipment(
            shipment_id=uuid4(),
            shipment_code=await uow.shipments.next_code(),
            order_id=order.order_id,
            supplying_facility_id=order.supplying_facility_id,
            receiving_facility_id=order.requesting_facility_id,
            status=ShipmentStatus.NEW,
            version=1,
            created_by=caller.actor,
            created_at=now,
            updated_at=now,
            items=items,
        )
        await uow.shipments.save(shipment, {})
        await _order_moved(uow, order, "shipment-created", caller.actor, now, shipment)
        await uow.commit()
    return shipment


async def allocate(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    seen: int | None,
    terms: AllocationTerms,
) -> Shipment:
    """Choose lots FEFO for every item and ask inventory to reserve them."""
    async with uow:
        s = await _locked(uow, caller, shipment_id, seen, Right.SHIPMENTS_EDIT)
        # One allocation at a time per store: two never count the same units as free.
        await uow.stock.lock_store(s.supplying_facility_id)
        today = date.today()
        rules = Rules(
            on=today,
            arrives_on=today + timedelta(days=terms.lead_time_days),
            min_shelf_life_days=terms.min_shelf_life_days,
            warning_days=terms.warning_days,
        )
        stock = await uow.stock.lots(s.supplying_facility_id, [i.orderable_id for i in s.items])
        asked = [
            LineToAllocate(i.orderable_id, i.orderable_id, i.quantity, i.pack_size) for i in s.items
        ]
        done = allocate_shipment(asked, stock, rules)
        expiry = {(lot.lot_id, lot.location_id): lot for lots in stock.values() for lot in lots}
        lots = tuple(
            ShipmentLot(
                line_id=uuid4(),
                orderable_id=item.orderable_id,
                batch_id=p.lot_id,
                lot_code=expiry[(p.lot_id, p.location_id)].lot_code,
                expiry_date=expiry[(p.lot_id, p.location_id)].expiry_date,
                location_id=p.location_id,
                quantity=p.quantity,
                pack_size=item.pack_size,
                expiring_soon=p.expiring_soon,
            )
            for item in s.items
            for p in done[item.orderable_id].picks
        )
        items = tuple(replace(i, unallocated=done[i.orderable_id].unallocated) for i in s.items)
        now = _now()
        s = s.advanced(ShipmentStatus.ALLOCATED, now, items=items, lots=lots)
        await uow.shipments.save(s, {i: a.skipped for i, a in done.items()})
        if s.lots:  # with none there is nothing to reserve, and no answer to wait for
            uow.publish(shipment_allocated(s, caller.actor))
        await _moved(uow, s, "shipment-allocated", caller.actor, now)
        await uow.commit()
    return s


async def pick(
    uow: FulfillmentUnitOfWork, caller: CallerRights, shipment_id: UUID, seen: int | None
) -> Shipment:
    """Confirm the pick list: what inventory reserved is what will leave."""
    async with uow:
        s = await _locked(uow, caller, shipment_id, seen, Right.SHIPMENTS_EDIT)
        if s.status == ShipmentStatus.ALLOCATED and not s.reservation_answered:
            raise ShipmentConflict(
                f"shipment {s.shipment_code} waits for inventory to reserve its lots; try again"
            )
        now = _now()
        s = s.advanced(ShipmentStatus.PICKED, now)
        await uow.shipments.save(s)
        await _moved(uow, s, "shipment-picked", caller.actor, now)
        await uow.commit()
    return s


async def ship(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    seen: int | None,
    carrier: str | None,
    note: str | None,
) -> Shipment:
    """The shipment leaves: inventory issues it, the order counts it, the receiver expects it."""
    async with uow:
        s = await _locked(uow, caller, shipment_id, seen, Right.SHIPMENTS_EDIT)
        if s.status == ShipmentStatus.PICKED and not any(lot.quantity for lot in s.lots):
            raise ShipmentConflict(f"shipment {s.shipment_code} has nothing to ship: cancel it")
        now = _now()
        s = s.advanced(ShipmentStatus.SHIPPED, now, shipped_at=now, carrier=carrier, note=note)
        order = await orders.locked(uow, s.order_id)
        await uow.shipments.save(s)
        sent = s.shipped_per_item()
        lines = tuple(
            replace(ln, shipped=ln.shipped + sent.get(ln.orderable_id, 0)) for ln in order.lines
        )
        changed = order.with_lines(lines, await orders.progress(uow, order.order_id), now)
        uow.publish(shipment_shipped(s, changed, caller.actor))
        await orders.record(uow, changed, "shipped", caller.actor, now, shipment_id=s.shipment_id)
        await uow.commit()
    return s


async def cancel(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    seen: int | None,
    reason: str | None,
) -> Shipment:
    """Cancel a shipment not yet shipped; what it reserved is released."""
    async with uow:
        s = await _locked(uow, caller, shipment_id, seen, Right.SHIPMENTS_EDIT)
        was = s.status
        now = _now()
        s = s.cancelled(reason, now)
        await uow.shipments.save(s)
        if was != ShipmentStatus.NEW and s.lots:
            uow.publish(shipment_cancelled(s, caller.actor))
        await _moved(uow, s, "shipment-cancelled", caller.actor, now, reason)
        await uow.commit()
    return s


async def receive(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    seen: int | None,
    delivery: Delivery,
    receipts: Mapping[UUID, Receipt],
) -> Shipment:
    """The proof of delivery: accepted stock enters the receiver's ledger at the locations
    chosen, rejections and their reasons go back to the supplier and onto the order."""
    async with uow:
        s = await _locked(uow, caller, shipment_id, seen, Right.PODS_MANAGE)
        receiver = await uow.stock.facility(s.receiving_facility_id)
        if receiver is not None and receiver.site_id is not None:
            raise ShipmentConflict(
                f"store {receiver.code} is managed at a site: the shipment is received there"
            )
        await _check_locations(uow, s.receiving_facility_id, receipts)
        s = await _confirm(uow, s, delivery, receipts, caller.actor)
        await uow.commit()
    return s


async def receive_at_site(uow: FulfillmentUnitOfWork, site_id: UUID, pod: SitePod) -> Shipment:
    """A proof of delivery the receiver's site confirmed (offline or not) and already posted to
    its ledger: the same checks and effects as `receive`, on the version it was taken on."""
    s = await uow.shipments.get(pod.shipment_id, lock=True)
    if s is None or s.receiving_facility_id != pod.receiving_facility_id:
        raise ShipmentNotFound(
            f"shipment {pod.shipment_id} to store {pod.receiving_facility_id} does not exist"
        )
    await _managed_by(uow, site_id, s.receiving_facility_id)
    s.check_version(pod.expected_version)
    receipts = _site_receipts(s, pod.receipts)
    await _check_locations(uow, s.receiving_facility_id, receipts, site=True)
    return await _confirm(uow, s, pod.delivery, receipts, pod.actor, posted_at_site=True)


async def _confirm(
    uow: FulfillmentUnitOfWork,
    s: Shipment,
    delivery: Delivery,
    receipts: Mapping[UUID, Receipt],
    actor: str,
    posted_at_site: bool = False,
) -> Shipment:
    """The receipt's effects, whoever confirmed it: the shipment RECEIVED, the order's lines
    counted, the proof published for inventory and the supplier."""
    now = _now()
    lots = received(s.lots, receipts)
    s = s.advanced(
        ShipmentStatus.RECEIVED, now, lots=lots, delivery=delivery, posted_at_site=posted_at_site
    )
    order = await orders.locked(uow, s.order_id)
    await uow.shipments.save(s)
    changed = order.with_lines(
        _received_lines(order, s), await orders.progress(uow, order.order_id), now
    )
    uow.publish(shipment_received(s, actor))
    await orders.record(uow, changed, "received", actor, now, shipment_id=s.shipment_id)
    return s


async def _managed_by(uow: FulfillmentUnitOfWork, site_id: UUID, store_id: UUID) -> None:
    """The site writes the receiving store. The hub checked it at the door, so a read model
    that does not say so yet is behind: retry later. Another site's store is refused."""
    receiver = await uow.stock.facility(store_id)
    if receiver is None or receiver.site_id is None:
        raise TransientError(f"store {store_id} is not known here as a site's store yet")
    if receiver.site_id != site_id:
        raise Forbidden(f"store {receiver.code} is managed by another site")


def _site_receipts(s: Shipment, given: Mapping[UUID, Receipt]) -> dict[UUID, Receipt]:
    # A lot inventory could not reserve at all never left (ShipmentShipped leaves it out), so
    # the site never saw it: it is received as nothing of nothing.
    empty = {lot.line_id: Receipt(0, 0) for lot in s.lots if lot.quantity == 0}
    return {**empty, **given}


async def answered(uow: FulfillmentUnitOfWork, r: StockReserved) -> None:
    """Inventory's answer: each lot confirmed, cut to the whole packs it could reserve (a lot
    left with none is dropped); the stock lines as it left them."""
    await uow.stock.apply_reserved(r.store_id, r.lines)
    s = await uow.shipments.get(r.shipment_id, lock=True)
    if s is None or s.reservation_answered:
        return
    got = {ln.line_id: ln.reserved for ln in r.lines}
    short: dict[UUID, int] = {}
    lots = []
    for lot in s.lots:
        # A part pack reserved stays reserved until the shipment ships or is cancelled, when
        # inventory releases the whole reservation: only whole packs are shipped.
        kept = min(lot.quantity, got.get(lot.line_id, 0) // lot.pack_size * lot.pack_size)
        short[lot.orderable_id] = short.get(lot.orderable_id, 0) + lot.quantity - kept
        if kept:
            lots.append(replace(lot, quantity=kept, confirmed=True))
    items = tuple(
        replace(i, unallocated=i.unallocated + short.get(i.orderable_id, 0)) for i in s.items
    )
    await uow.shipments.save(replace(s, lots=tuple(lots), items=items))


async def visible(
    uow: FulfillmentUnitOfWork, caller: CallerRights, shipment_id: UUID, right: Right
) -> Shipment:
    """A shipment as its supplier (SHIPMENTS_VIEW) or receiver (PODS_VIEW) may read it."""
    s = await uow.shipments.get(shipment_id)
    if s is None or not caller.allows(right, _side(s, right), None):
        raise ShipmentNotFound(f"shipment {shipment_id} does not exist")
    return s


def _side(s: Shipment, right: Right) -> UUID:
    inbound = right in (Right.PODS_VIEW, Right.PODS_MANAGE)
    return s.receiving_facility_id if inbound else s.supplying_facility_id


async def _locked(
    uow: FulfillmentUnitOfWork,
    caller: CallerRights,
    shipment_id: UUID,
    seen: int | None,
    right: Right,
) -> Shipment:
    s = await uow.shipments.get(shipment_id, lock=True)
    if s is None:
        raise ShipmentNotFound(f"shipment {shipment_id} does not exist")
    orders.require(caller, right, _side(s, right))
    if s.kind != ShipmentKind.ORDER:
        raise ShipmentConflict(f"{s.shipment_code} is a return: its steps are under /returns")
    s.check_version(seen)
    return s


async def _open_units(uow: FulfillmentUnitOfWork, order: Order) -> dict[UUID, int]:
    """Per item, what is due and not already on a shipment in preparation."""
    held: dict[UUID, int] = {}
    for s in await uow.shipments.of_order(order.order_id):
        if s.status in PREPARING and s.kind == ShipmentKind.ORDER:
            for i in s.items:
                held[i.orderable_id] = held.get(i.orderable_id, 0) + i.quantity
    return {ln.orderable_id: ln.remaining - held.get(ln.orderable_id, 0) for ln in order.lines}


def _items(
    order: Order, open_units: dict[UUID, int], packs: Mapping[UUID, int] | None
) -> tuple[ShipmentItem, ...]:
    if packs is None:
        items = tuple(
            ShipmentItem(ln.orderable_id, ln.pack_size, open_units[ln.orderable_id])
            for ln in order.lines
            if open_units[ln.orderable_id] > 0
        )
    else:
        out = []
        for item, n in packs.items():
            ln = order.line(item)
            units = n * ln.pack_size
            if units > open_units[item]:
                raise InvalidOrder(
                    f"item {item}: {n} packs ({units} units) is more than the {open_units[item]}"
                    " units still open on the order"
                )
            if units:
                out.append(ShipmentItem(item, ln.pack_size, units))
        items = tuple(out)
    if not items:
        raise ShipmentConflict(f"nothing is open on order {order.order_code} to ship")
    return items


async def _check_locations(
    uow: FulfillmentUnitOfWork,
    store_id: UUID,
    receipts: Mapping[UUID, Receipt],
    site: bool = False,
) -> None:
    wanted = {r.location_id for r in receipts.values() if r.location_id is not None}
    where = await uow.stock.locations_of(wanted)
    for location in wanted:
        if site and location not in where:
            # The site chose it from inventory's locations it was sent: ours is behind.
            raise TransientError(f"location {location} is not known here yet")
        if where.get(location) != store_id:
            raise InvalidReceipt(f"location {location} is not an active location of the receiver")


def _received_lines(order: Order, s: Shipment) -> tuple[OrderLine, ...]:
    accepted: dict[UUID, int] = {}
    rejected: dict[UUID, int] = {}
    for lot in s.lots:
        assert lot.receipt is not None
        accepted[lot.orderable_id] = accepted.get(lot.orderable_id, 0) + lot.receipt.accepted
        rejected[lot.orderable_id] = rejected.get(lot.orderable_id, 0) + lot.receipt.rejected
    return tuple(
        replace(
            ln,
            received=ln.received + accepted.get(ln.orderable_id, 0),
            rejected=ln.rejected + rejected.get(ln.orderable_id, 0),
        )
        for ln in order.lines
    )


async def _moved(
    uow: FulfillmentUnitOfWork,
    s: Shipment,
    step: str,
    actor: str,
    at: datetime,
    reason: str | None = None,
) -> None:
    order = await orders.locked(uow, s.order_id)
    await _order_moved(uow, order, step, actor, at, s, reason)


async def _order_moved(
    uow: FulfillmentUnitOfWork,
    order: Order,
    step: str,
    actor: str,
    at: datetime,
    s: Shipment,
    reason: str | None = None,
) -> None:
    changed = order.progressed(await orders.progress(uow, order.order_id), at)
    await orders.record(uow, changed, step, actor, at, shipment_id=s.shipment_id, reason=reason)
