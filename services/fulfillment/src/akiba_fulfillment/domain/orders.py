"""Orders: what a supplier owes a requesting store, and what became of it.

An order's status follows from its lines and shipments, never set by hand:
nothing shipped yet → ORDERED, or FULFILLING while a shipment is being prepared (or CANCELLED
when the whole remainder was closed); something shipped → SHIPPED, `back_ordered` while a part
is still due; RECEIVED once nothing is due and every shipped shipment was received. Closing
the remainder needs a reason and no shipment in preparation: a back-order is never silently
dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from uuid import UUID

from akiba_contracts.payloads import OrderStatus
from akiba_fulfillment.domain.errors import Invalid, OrderConflict, StaleVersion


@dataclass(frozen=True)
class OrderLine:
    """One item of an order, in dispensing units (whole packs)."""

    orderable_id: UUID
    pack_size: int
    ordered: int
    shipped: int = 0
    received: int = 0
    rejected: int = 0
    cancelled: int = 0
    returned: int = 0

    @property
    def packs(self) -> int:
        """Ordered packs."""
        return self.ordered // self.pack_size

    @property
    def remaining(self) -> int:
        """Neither shipped nor cancelled: what is still due."""
        return self.ordered - self.shipped - self.cancelled


@dataclass(frozen=True)
class Progress:
    """Where the order's shipments stand."""

    preparing: bool  # a shipment is NEW, ALLOCATED or PICKED
    all_received: bool  # every shipped shipment was received


@dataclass(frozen=True)
class Order:
    """An order from a requesting store to its supplier."""

    order_id: UUID
    order_code: str
    requisition_id: UUID | None
    program_id: UUID | None
    period_id: UUID | None
    emergency: bool
    requesting_facility_id: UUID
    supplying_facility_id: UUID
    status: OrderStatus
    back_ordered: bool
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    closed_reason: str | None
    lines: tuple[OrderLine, ...]

    def line(self, orderable_id: UUID) -> OrderLine:
        """The order's line of an item, or Invalid."""
        for ln in self.lines:
            if ln.orderable_id == orderable_id:
                return ln
        raise Invalid(f"item {orderable_id} is not on order {self.order_code}")

    def check_version(self, seen: int | None) -> None:
        """Refuse a change made against another version (If-Match)."""
        if seen is not None and seen != self.version:
            raise StaleVersion(f"order {self.order_code} is at version {self.version}, not {seen}")

    def with_lines(self, lines: tuple[OrderLine, ...], progress: Progress, at: datetime) -> Order:
        """The order after its lines changed: status recomputed, version up."""
        status, back_ordered = status_of(lines, progress)
        return replace(
            self,
            lines=lines,
            status=status,
            back_ordered=back_ordered,
            version=self.version + 1,
            updated_at=at,
        )

    def progressed(self, progress: Progress, at: datetime) -> Order:
        """The order after one of its shipments moved: status recomputed, version up."""
        return self.with_lines(self.lines, progress, at)

    def closed(self, reason: str, progress: Progress, at: datetime) -> Order:
        """Cancel whatever is still due, with a reason."""
        if progress.preparing:
            raise OrderConflict(
                f"order {self.order_code} has a shipment in preparation: cancel or ship it first"
            )
        if not any(ln.remaining for ln in self.lines):
            raise OrderConflict(f"nothing is due on order {self.order_code}")
        lines = tuple(replace(ln, cancelled=ln.cancelled + ln.remaining) for ln in self.lines)
        return replace(self.with_lines(lines, progress, at), closed_reason=reason)


def status_of(lines: tuple[OrderLine, ...], progress: Progress) -> tuple[OrderStatus, bool]:
    """An order's status and whether a part is back-ordered, from its lines and shipments."""
    shipped = sum(ln.shipped for ln in lines)
    remaining = sum(ln.remaining for ln in lines)
    if shipped == 0:
        if progress.preparing:
            return OrderStatus.FULFILLING, False
        return (OrderStatus.ORDERED if remaining else OrderStatus.CANCELLED), False
    if remaining == 0 and progress.all_received and not progress.preparing:
        return OrderStatus.RECEIVED, False
    return OrderStatus.SHIPPED, remaining > 0


def ordered_units(packs: int, pack_size: int) -> int:
    """Units of whole packs."""
    if pack_size < 1 or packs < 0:
        raise Invalid("packs are counted from 0 and a pack holds at least one unit")
    return packs * pack_size
