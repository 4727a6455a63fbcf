"""HTTP shapes of requisitions a store works with, served alike by the requisition service
and by each site's gateway (the twins' routes take and answer the same models)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import Count, Note, decimal_schema
from akiba_contracts.payloads import RequisitionKind

_MONTHS = "Months of stock (stock on hand / average monthly consumption)"
Months = Annotated[
    Decimal,
    Field(ge=0, le=120, max_digits=5, decimal_places=2, description=_MONTHS),
    decimal_schema(5, 2, _MONTHS),
]
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


class LinesRequest(_In):
    """Changes to some of a requisition's lines, applied as one new version."""

    lines: list[LineEdit] = Field(min_length=1, max_length=MAX_LINES)


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
    status: str = Field(description="The requisition's status (RequisitionStatus).")
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
