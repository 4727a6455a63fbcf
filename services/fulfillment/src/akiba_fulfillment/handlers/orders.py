"""Orders: created from released requisitions or by a supplier's user, closed with a reason,
read by the supplier and by the requesting store; every change publishes the order's state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID, uuid4, uuid5

from akiba_contracts.payloads import OrderStatus, RequisitionReleased
from akiba_contracts.rights import Right
from akiba_fulfillment.adapters.orders import OrderCriteria, Step
from akiba_fulfillment.domain.errors import Forbidden, InvalidOrder, OrderNotFound
from akiba_fulfillment.domain.orders import Order, OrderLine, Progress, ordered_units
from akiba_fulfillment.domain.shipments import PREPARING, ShipmentStatus
from akiba_fulfillment.outbound import order_changed
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform.auth import CallerRights


@dataclass(frozen=True)
class NewOrder:
    """An order a supplier's user enters without a requisition."""

    requesting_facility_id: UUID
    supplying_facility_id: UUID
    program_id: UUID | None
    emergency: bool
    lines: tuple[tuple[UUID, int], ...]  # item, packs


_ORDERS_OF_REQUISITIONS = UUID("6b1f3c2e-8a55-4f0e-9a57-0d7c1e6b4a10")


def _now() -> datetime:
    return datetime.now(UTC)


async def from_release(uow: FulfillmentUnitOfWork, r: RequisitionReleased) -> Order:
    """The order of a released requisition (the same one again if it was already made)."""
    existing = await uow.orders.by_requisition(r.requisition_id)
    if existing is not None:
        return existing
    lines = tuple(
        OrderLine(ln.orderable_id, ln.pack_size, ordered_units(ln.packs, ln.pack_size))
        for ln in r.lines
        if ln.packs > 0
    )
    return await _open(
        uow,
        lines,
        r.requesting_facility_id,
        r.supplying_facility_id,
        r.program_id,
        r.period_id,
        r.emergency,
        r.released_by,
        r.requisition_id,
        order_of_requisition(r.requisition_id),
    )


def order_of_requisition(requisition_id: UUID) -> UUID:
    """A released requisition's order id, the same every time it is made.

    A database restored from a backup reads the release again and makes its order again: with
    the same id, what other services already learnt about the order still names it.
    """
    return uuid5(_ORDERS_OF_REQUISITIONS, str(requisition_id))


async def create(uow: FulfillmentUnitOfWork, caller: CallerRights, new: NewOrder) -> Order:
    """An order entered at the supplier by a user with ORDERS_EDIT there."""
    require(caller, Right.ORDERS_EDIT, new.supplying_facility_id)
    async with uow:
        if new.requesting_facility_id == new.supplying_facility_id:
            raise InvalidOrder("a store does not order from itself")
        for facility in (new.requesting_facility_id, new.supplying_facility_id):
            known = await uow.stock.facility(facility)
            if known is None or not known.active:
                raise InvalidOrder(f"facility {facility} is unknown or inactive")
        ids = [item for item, _ in new.lines]
        if len(set(ids)) != len(ids):
            raise InvalidOrder("an item appears on the order twice")
        items = await uow.stock.items(ids)
        missing = [i for i in ids if i not in items or not items[i].active]
        if missing:
            raise InvalidOrder(f"item {missing[0]} is unknown or inactive")
        lines = tuple(
            OrderLine(item, items[item].net_content, ordered_units(packs, items[item].net_content))
            for item, packs in new.lines
        )
        order = await _open(
            uow,
            lines,
            new.requesting_facility_id,
            new.supplying_facility_id,
            new.program_id,
            None,
            new.emergency,
            caller.actor,
            None,
        )
        await uow.commit()
    return order


async def close(
    uow: FulfillmentUnitOfWork, caller: CallerRights, order_id: UUID, seen: int | None, reason: str
) -> Order:
    """Cancel what is still due on an order, with a reason (all of it if nothing shipped)."""
    async with uow:
        order = await locked(uow, order_id)
        require(caller, Right.ORDERS_EDIT, order.supplying_facility_id)
        order.check_version(seen)
        now = _now()
        changed = order.closed(reason, await progress(uow, order_id), now)
        step = "cancelled" if changed.status == OrderStatus.CANCELLED else "closed"
        await record(uow, changed, step, caller.actor, now, reason=reason)
        await uow.commit()
    return changed


async def locked(uow: FulfillmentUnitOfWork, order_id: UUID) -> Order:
    """An order locked for a change, or OrderNotFound."""
    order = await uow.orders.get(order_id, lock=True)
    if order is None:
        raise OrderNotFound(f"order {order_id} does not exist")
    return order


async def progress(uow: FulfillmentUnitOfWork, order_id: UUID) -> Progress:
    """Where an order's shipments stand."""
    statuses = await uow.shipments.statuses(order_id)
    return Progress(
        preparing=any(s in PREPARING for s in statuses),
        all_received=all(s != ShipmentStatus.SHIPPED for s in statuses),
    )


async def record(
    uow: FulfillmentUnitOfWork,
    order: Order,
    step: str,
    actor: str,
    at: datetime,
    *,
    shipment_id: UUID | None = None,
    reason: str | None = None,
) -> None:
    """Save an order's new state with its timeline step, and publish it."""
    entry = Step(order.version, step, order.status, shipment_id, actor, reason, at)
    await uow.orders.save(order, entry)
    uow.publish(order_changed(order, entry))


async def seen_by(
    uow: FulfillmentUnitOfWork, caller: CallerRights, order_id: UUID, right: Right
) -> Order:
    """An order as the supplier (ORDERS_VIEW) or the requester (PODS_VIEW) may read it."""
    order = await uow.orders.get(order_id)
    if order is None:
        raise OrderNotFound(f"order {order_id} does not exist")
    side = (
        order.supplying_facility_id if right == Right.ORDERS_VIEW else order.requesting_facility_id
    )
    if not caller.allows(right, side, None):
        raise OrderNotFound(f"order {order_id} does not exist")  # not one the caller may see
    return order


async def page(
    uow: FulfillmentUnitOfWork, criteria: OrderCriteria, page_no: int, size: int
) -> tuple[list[Order], int]:
    """One page of orders, newest first."""
    return await uow.orders.page(criteria, page_no, size)


def require(caller: CallerRights, right: Right, facility: UUID) -> None:
    """Refuse unless the caller holds the right at the facility."""
    if not caller.allows(right, facility, None):
        raise Forbidden(f"this needs the right {right} at facility {facility}")


async def _open(
    uow: FulfillmentUnitOfWork,
    lines: tuple[OrderLine, ...],
    requesting: UUID,
    supplying: UUID,
    program_id: UUID | None,
    period_id: UUID | None,
    emergency: bool,
    actor: str,
    requisition_id: UUID | None,
    order_id: UUID | None = None,
) -> Order:
    now = _now()
    status, back_ordered = (OrderStatus.ORDERED, False) if lines else (OrderStatus.CANCELLED, False)
    order = Order(
        order_id=order_id or uuid4(),
        order_code=await uow.orders.next_code(),
        requisition_id=requisition_id,
        program_id=program_id,
        period_id=period_id,
        emergency=emergency,
        requesting_facility_id=requesting,
        supplying_facility_id=supplying,
        status=status,
        back_ordered=back_ordered,
        version=1,
        created_by=actor,
        created_at=now,
        updated_at=now,
        closed_reason=None if lines else "nothing to supply",
        lines=lines,
    )
    entry = Step(1, "created", order.status, None, actor, order.closed_reason, now)
    await uow.orders.add(order, entry)
    uow.publish(order_changed(order, entry))
    return order
