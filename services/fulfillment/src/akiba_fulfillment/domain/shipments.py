"""Shipments: stock on its way from a supplier's shelves to a receiver's, forward only.

Outbound at the supplier: NEW → ALLOCATED (lots chosen FEFO, inventory asked to reserve them)
→ PICKED (inventory answered; the pick list is what leaves) → SHIPPED (the issue is posted).
A shipment not yet shipped may be CANCELLED (its reservations are released). Inbound at the
receiver: a SHIPPED shipment becomes RECEIVED by its proof of delivery, where every lot's
accepted + rejected = shipped and every rejection has a reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import UUID

from akiba_contracts.payloads import ReturnReason, ShipmentKind, ShipmentStatus
from akiba_fulfillment.domain.errors import InvalidReceipt, ShipmentConflict, StaleVersion
from akiba_replenish import receipts as receipt_rules
from akiba_replenish.receipts import Receipt

__all__ = [
    "PREPARING",
    "Delivery",
    "Receipt",
    "Shipment",
    "ShipmentItem",
    "ShipmentLot",
    "ShipmentStatus",
    "SitePod",
    "check_receipts",
    "received",
]


PREPARING = frozenset({ShipmentStatus.NEW, ShipmentStatus.ALLOCATED, ShipmentStatus.PICKED})
_NEXT = {
    ShipmentStatus.NEW: ShipmentStatus.ALLOCATED,
    ShipmentStatus.ALLOCATED: ShipmentStatus.PICKED,
    ShipmentStatus.PICKED: ShipmentStatus.SHIPPED,
    ShipmentStatus.SHIPPED: ShipmentStatus.RECEIVED,
}


@dataclass(frozen=True)
class ShipmentItem:
    """What a shipment means to send of one item, and what allocation could not cover."""

    orderable_id: UUID
    pack_size: int
    quantity: int
    unallocated: int = 0


@dataclass(frozen=True)
class ShipmentLot:
    """Units of one lot at one of the supplier's locations; `receipt` once received."""

    line_id: UUID
    orderable_id: UUID
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None
    quantity: int
    pack_size: int
    expiring_soon: bool = False
    confirmed: bool = False  # inventory answered its reservation
    receipt: Receipt | None = None
    return_reason: ReturnReason | None = None
    returned_line_id: UUID | None = None  # on a return: the line of the shipment it came on

    @property
    def packs(self) -> int:
        """Whole packs on the line."""
        return self.quantity // self.pack_size


@dataclass(frozen=True)
class Delivery:
    """Who brought a shipment, who took it in, and when."""

    delivered_by: str
    received_by: str
    received_at: datetime
    reference: str | None = None


@dataclass(frozen=True)
class SitePod:
    """A proof of delivery the receiver's site confirmed, on the version it saw."""

    shipment_id: UUID
    receiving_facility_id: UUID
    expected_version: int
    delivery: Delivery
    receipts: Mapping[UUID, Receipt]
    actor: str


@dataclass(frozen=True)
class Shipment:
    """One shipment of an order."""

    shipment_id: UUID
    shipment_code: str
    order_id: UUID
    supplying_facility_id: UUID
    receiving_facility_id: UUID
    status: ShipmentStatus
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime
    items: tuple[ShipmentItem, ...]
    lots: tuple[ShipmentLot, ...] = ()
    carrier: str | None = None
    note: str | None = None
    shipped_at: datetime | None = None
    cancel_reason: str | None = None
    delivery: Delivery | None = None
    posted_at_site: bool = False
    kind: ShipmentKind = ShipmentKind.ORDER
    returned_shipment_id: UUID | None = None

    @property
    def reservation_answered(self) -> bool:
        """Inventory answered every lot's reservation."""
        return all(lot.confirmed for lot in self.lots)

    def check_version(self, seen: int | None) -> None:
        """Refuse a change made against another version (If-Match)."""
        if seen is not None and seen != self.version:
            raise StaleVersion(
                f"shipment {self.shipment_code} is at version {self.version}, not {seen}"
            )

    def advanced(self, to: ShipmentStatus, at: datetime, **changes: object) -> Shipment:
        """The shipment one step forward, or ShipmentConflict."""
        if _NEXT.get(self.status) != to:
            raise ShipmentConflict(
                f"shipment {self.shipment_code} is {self.status}: it cannot become {to}"
            )
        return replace(self, status=to, version=self.version + 1, updated_at=at, **changes)  # type: ignore[arg-type]

    def cancelled(self, reason: str | None, at: datetime) -> Shipment:
        """Cancel it before it ships."""
        if self.status not in PREPARING:
            raise ShipmentConflict(
                f"shipment {self.shipment_code} is {self.status}: only one not yet shipped may"
                " be cancelled"
            )
        return replace(
            self,
            status=ShipmentStatus.CANCELLED,
            version=self.version + 1,
            updated_at=at,
            cancel_reason=reason,
        )

    def shipped_per_item(self) -> dict[UUID, int]:
        """Units shipped of each item."""
        out: dict[UUID, int] = {}
        for lot in self.lots:
            out[lot.orderable_id] = out.get(lot.orderable_id, 0) + lot.quantity
        return out


def check_receipts(lots: Sequence[ShipmentLot], receipts: Mapping[UUID, Receipt]) -> None:
    """Every lot is accounted for by the rules sites share (akiba_replenish.receipts)."""
    try:
        receipt_rules.check_receipts(lots, receipts)
    except receipt_rules.ReceiptError as exc:
        raise InvalidReceipt(str(exc)) from None


def received(
    lots: Sequence[ShipmentLot], receipts: Mapping[UUID, Receipt]
) -> tuple[ShipmentLot, ...]:
    """The lots with the receiver's findings (checked first)."""
    check_receipts(lots, receipts)
    return tuple(replace(lot, receipt=receipts[lot.line_id]) for lot in lots)
