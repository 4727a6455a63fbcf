"""HTTP shapes of requisitions, internal orders and customer requisitions."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import TRIMMED_PATTERN, Count, Note, text
from akiba_contracts.payloads import RequisitionKind
from akiba_replenish import Edit
from akiba_replenish import RequisitionStatus as S
from akiba_replenish.documents import Document, labels
from akiba_requisition.api.reference_schemas import decimal_schema

_MONTHS = "Months of stock (stock on hand / average monthly consumption)"
Months = Annotated[
    Decimal,
    Field(ge=0, le=120, max_digits=5, decimal_places=2, description=_MONTHS),
    decimal_schema(5, 2, _MONTHS),
]
Reason = Annotated[str, text(1000, min_length=1, pattern=TRIMMED_PATTERN)]
MAX_LINES = 10_000


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class InitiateRequest(_In):
    """Start a program requisition for the facility's oldest open period (or today's)."""

    facility_id: UUID
    program_id: UUID
    emergency: bool = False
    orderable_ids: list[UUID] | None = Field(
        None, max_length=MAX_LINES, description="An emergency requisition's products."
    )


class InternalOrderRequest(_In):
    """Draft an internal order from one store to another."""

    facility_id: UUID = Field(description="The requesting store.")
    supplying_facility_id: UUID
    program_id: UUID | None = None
    max_months_of_stock: Months = Decimal(3)
    min_months_of_stock: Months = Decimal(0)
    item_ids: list[UUID] | None = Field(
        None,
        max_length=MAX_LINES,
        description="The items to order; none: every item the store moves that is due an order.",
    )
    comment: Note | None = None


class LineEdit(_In):
    """A change to one line: requested quantity (and why), or approved quantity (and remarks)."""

    orderable_id: UUID
    requested_quantity: Count | None = None
    explanation: Note | None = None
    approved_quantity: Count | None = None
    remarks: Note | None = None

    def edit(self) -> Edit:
        """As the rules take it."""
        return Edit(
            self.orderable_id,
            self.requested_quantity,
            self.explanation,
            self.approved_quantity,
            self.remarks,
        )


class LinesRequest(_In):
    """Changes to some of a requisition's lines, applied as one new version."""

    lines: list[LineEdit] = Field(min_length=1, max_length=MAX_LINES)


class RejectRequest(_In):
    """Why the requisition goes back."""

    reason: Reason


class ReleaseRequest(_In):
    """Who supplies the order (default: the supply line's facility)."""

    supplying_facility_id: UUID | None = None


class BatchItem(_In):
    """One requisition of a batch approval, at the version the approver saw."""

    requisition_id: UUID
    version: int = Field(ge=1, le=2_000_000_000)
    lines: list[LineEdit] = Field(default_factory=list, max_length=MAX_LINES)


class BatchApproveRequest(_In):
    """Requisitions to approve at once, each on its own."""

    requisitions: list[BatchItem] = Field(min_length=1, max_length=200)


class BatchResult(BaseModel):
    """What became of one requisition of a batch."""

    requisition_id: UUID
    status: int = Field(description="The HTTP status approving it alone would have had.")
    requisition_status: str | None = None
    version: int | None = None
    detail: str | None = None


class BatchApproveResponse(BaseModel):
    """One result per requisition, in the order asked."""

    results: list[BatchResult]


class LineResponse(BaseModel):
    """A line with every column: ledger figures, calculations, people's quantities, packs."""

    orderable_id: UUID
    full_supply: bool
    beginning_balance: int | None
    total_received_quantity: int | None
    total_consumed_quantity: int | None
    total_losses_and_adjustments: int | None
    stock_on_hand: int | None
    total_stockout_days: int | None
    total: int | None
    adjusted_consumption: int | None
    average_consumption: int | None
    maximum_stock_quantity: int | None
    calculated_order_quantity: int
    calculated_order_quantity_isa: int | None
    average_monthly_consumption: Decimal | None
    months_of_stock: Decimal | None
    requested_quantity: int | None
    requested_quantity_explanation: str | None
    approved_quantity: int | None
    remarks: str | None
    pack_size: int
    packs_to_ship: int
    price_per_pack: Decimal | None
    total_cost: Decimal


class StepResponse(BaseModel):
    """One step of the status history."""

    status: str
    actor: str
    at: datetime
    node_id: UUID | None
    reason: str | None


class RequisitionSummary(BaseModel):
    """A requisition without its lines."""

    requisition_id: UUID
    kind: RequisitionKind
    facility_id: UUID
    program_id: UUID | None
    period_id: UUID | None
    emergency: bool
    status: S
    internal_order_status: str | None = Field(
        None, description="An internal order as its store sees it: DRAFT, SENT or FINALISED."
    )
    customer_requisition_status: str | None = Field(
        None, description="As the supplying store sees it: NEW, APPROVED or FINALISED."
    )
    version: int
    node_id: UUID | None
    supplying_facility_id: UUID | None
    created_by: str
    created_at: datetime


class RequisitionResponse(RequisitionSummary):
    """A requisition with its lines and history."""

    template_id: UUID | None
    max_months_of_stock: Decimal | None
    min_months_of_stock: Decimal | None
    comment: str | None
    lines: list[LineResponse]
    history: list[StepResponse]


class RequisitionPage(BaseModel):
    """A page of requisitions."""

    items: list[RequisitionSummary]
    page: int
    size: int
    total: int


class PeriodResponse(BaseModel):
    """A period a requisition may be initiated for."""

    period_id: UUID
    start_date: date
    end_date: date
    months: int


class OpenPeriodsResponse(BaseModel):
    """Where a facility stands for a program: the regular period and today's (emergency)."""

    regular: PeriodResponse | None
    emergency: PeriodResponse | None


class CountsResponse(BaseModel):
    """Requisitions per status (for a dashboard)."""

    counts: dict[str, int]


def summary(doc: Document) -> dict[str, Any]:
    """The fields every requisition shape shares."""
    r = doc.requisition
    return {
        "requisition_id": r.requisition_id, "kind": doc.kind, "facility_id": r.facility_id,
        "program_id": r.program_id, "period_id": r.period_id, "emergency": r.emergency,
        "status": r.status, "version": r.version, "node_id": r.node_id,
        "supplying_facility_id": r.supplying_facility_id, "created_by": doc.created_by,
        "created_at": doc.created_at, **labels(doc.kind, r.status),
    }  # fmt: skip


def whole(doc: Document) -> RequisitionResponse:
    """The full document."""
    r = doc.requisition
    return RequisitionResponse(
        **summary(doc),
        template_id=doc.template_id,
        max_months_of_stock=doc.max_months_of_stock,
        min_months_of_stock=doc.min_months_of_stock,
        comment=doc.comment,
        lines=[_line(doc, o) for o in r.lines],
        history=[
            StepResponse(
                status=c.status, actor=c.actor, at=c.at, node_id=c.node_id, reason=c.reason
            )
            for c in r.history
        ],
    )


def _line(doc: Document, orderable_id: UUID) -> LineResponse:
    line, info = doc.requisition.lines[orderable_id], doc.info[orderable_id]
    f = info.figures
    return LineResponse(
        orderable_id=orderable_id, full_supply=info.full_supply,
        beginning_balance=f.beginning_balance, total_received_quantity=f.received,
        total_consumed_quantity=f.consumed,
        total_losses_and_adjustments=f.losses_and_adjustments, stock_on_hand=f.stock_on_hand,
        total_stockout_days=f.stockout_days, total=f.total,
        adjusted_consumption=f.adjusted_consumption, average_consumption=f.average_consumption,
        maximum_stock_quantity=f.maximum_stock, calculated_order_quantity=line.calculated,
        calculated_order_quantity_isa=f.ideal_stock_order,
        average_monthly_consumption=f.average_monthly_consumption,
        months_of_stock=f.months_of_stock, requested_quantity=line.requested,
        requested_quantity_explanation=line.explanation, approved_quantity=line.approved,
        remarks=line.remarks, pack_size=info.pack.size, packs_to_ship=doc.packs(orderable_id),
        price_per_pack=info.pack.price, total_cost=doc.cost(orderable_id),
    )  # fmt: skip
