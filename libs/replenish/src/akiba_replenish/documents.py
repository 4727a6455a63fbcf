"""A requisition as this service keeps it: the workflow's record plus each line's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from uuid import UUID

from akiba_contracts.payloads import RequisitionKind
from akiba_replenish import quantities as q
from akiba_replenish.status import RequisitionStatus as S
from akiba_replenish.workflow import Requisition


@dataclass(frozen=True)
class Pack:
    """How an item ships: its pack size, rounding and price (the program's)."""

    size: int
    threshold: int
    round_to_zero: bool
    price: Decimal | None


@dataclass(frozen=True)
class Figures:
    """What the rules computed for a line from the ledger (None where a column does not apply)."""

    beginning_balance: int | None = None
    received: int | None = None
    consumed: int | None = None
    losses_and_adjustments: int | None = None
    stock_on_hand: int | None = None
    stockout_days: int | None = None
    total: int | None = None
    adjusted_consumption: int | None = None
    average_consumption: int | None = None
    maximum_stock: int | None = None
    ideal_stock_order: int | None = None
    average_monthly_consumption: Decimal | None = None
    months_of_stock: Decimal | None = None


@dataclass(frozen=True)
class LineInfo:
    """A line's fixed part: its place, whether it is full supply, its figures and packs."""

    position: int
    full_supply: bool
    figures: Figures
    pack: Pack


@dataclass
class Document:
    """A requisition with what its lines were computed from."""

    kind: RequisitionKind
    requisition: Requisition
    info: dict[UUID, LineInfo]
    created_by: str
    created_at: datetime
    template_id: UUID | None = None
    max_months_of_stock: Decimal | None = None
    min_months_of_stock: Decimal | None = None
    comment: str | None = None
    history_saved: int = 0  # history steps already stored

    @property
    def requisition_id(self) -> UUID:
        """Its id."""
        return self.requisition.requisition_id

    def quantity(self, orderable_id: UUID) -> int:
        """What the line stands for now: approved, else requested, else calculated."""
        line = self.requisition.lines[orderable_id]
        for value in (line.approved, line.requested):
            if value is not None:
                return value
        return line.calculated

    def packs(self, orderable_id: UUID) -> int:
        """Packs to ship for the line's current quantity."""
        p = self.info[orderable_id].pack
        return q.packs_to_ship(self.quantity(orderable_id), p.size, p.threshold, p.round_to_zero)

    def cost(self, orderable_id: UUID) -> Decimal:
        """The line's total cost at its pack price."""
        return q.total_cost(self.packs(orderable_id), self.info[orderable_id].pack.price)


_ORDER = {S.INITIATED: "DRAFT", S.REJECTED: "DRAFT", S.RELEASED: "FINALISED"}
_CUSTOMER = {S.AUTHORIZED: "NEW", S.APPROVED: "APPROVED", S.RELEASED: "FINALISED"}


def labels(kind: RequisitionKind, status: S) -> dict[str, str | None]:
    """An internal order's two vocabularies: the requester's and the supplier's."""
    if kind is not RequisitionKind.INTERNAL_ORDER:
        return {"internal_order_status": None, "customer_requisition_status": None}
    return {
        "internal_order_status": _ORDER.get(status, "SENT"),
        "customer_requisition_status": _CUSTOMER.get(status),
    }
