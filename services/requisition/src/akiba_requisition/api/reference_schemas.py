"""HTTP models of requisition's reference-data admin API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import (
    CODE_PATTERN,
    INT4_MAX,
    TRIMMED_PATTERN,
    Code,
    Name,
    Note,
    decimal_schema,
    text,
)
from akiba_replenish.templates import Source

T = TypeVar("T")


_PRICE = "What a pack costs"
_PERIODS = "In periods of the facility's schedule (months when monthly)"
Price = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=4, description=_PRICE),
    decimal_schema(18, 4, _PRICE),
]
PeriodsOfStock = Annotated[
    Decimal,
    Field(ge=0, max_digits=8, decimal_places=2, description=_PERIODS),
    decimal_schema(8, 2, _PERIODS),
]
Category = Annotated[str, text(100, min_length=1, pattern=TRIMMED_PATTERN)]
Position = Annotated[int, Field(ge=0, le=INT4_MAX)]
Amount = Annotated[int, Field(ge=0, le=INT4_MAX, description="In dispensing units")]
ColumnName = Annotated[str, text(64, min_length=1, pattern=CODE_PATTERN)]


class Page(BaseModel, Generic[T]):
    """One page of a list; `page` counts from 0."""

    items: list[T]
    page: int
    size: int
    total: int = Field(description="How many records match, over all pages.")


class _Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ProgramRequest(_Request):
    """A program's fields."""

    code: Code
    name: Name
    description: Note | None = None
    periods_skippable: bool = Field(False, description="Facilities may skip a period")
    skip_authorization: bool = Field(False, description="Submitting also authorizes")
    report_only: bool = Field(False, description="Requisitions report stock, order nothing")
    active: bool = True


class ProgramResponse(BaseModel):
    """A program."""

    program_id: UUID
    code: str
    name: str
    description: str | None
    periods_skippable: bool
    skip_authorization: bool
    report_only: bool
    active: bool
    version: int


class ProgramOrderableUpdateRequest(_Request):
    """An item's settings under a program (its pack size and rounding are the item's)."""

    full_supply: bool = True
    price_per_pack: Price | None = None
    category: Category = "Other"
    display_order: Position = 0
    active: bool = True


class ProgramOrderableRequest(ProgramOrderableUpdateRequest):
    """An item added to a program."""

    orderable_id: UUID = Field(description="The item (inventory's item_id)")


class ProgramOrderableResponse(BaseModel):
    """An item of a program."""

    program_id: UUID
    orderable_id: UUID
    full_supply: bool
    price_per_pack: Decimal | None
    category: str
    display_order: int
    active: bool
    version: int


class ApprovedProductUpdateRequest(_Request):
    """How much stock a type of facility keeps of an item (the minimum at most the maximum)."""

    max_periods_of_stock: PeriodsOfStock
    min_periods_of_stock: PeriodsOfStock | None = None
    emergency_order_point: PeriodsOfStock | None = None
    active: bool = True


class ApprovedProductRequest(ApprovedProductUpdateRequest):
    """An item of the program approved for a type of facility."""

    facility_type_id: UUID
    orderable_id: UUID = Field(description="One of the program's orderables")


class ApprovedProductResponse(BaseModel):
    """An item approved for a type of facility under a program."""

    facility_type_id: UUID
    program_id: UUID
    orderable_id: UUID
    max_periods_of_stock: Decimal
    min_periods_of_stock: Decimal | None
    emergency_order_point: Decimal | None
    active: bool
    version: int


class ScheduleRequest(_Request):
    """A processing schedule's fields."""

    code: Code
    name: Name
    description: Note | None = None


class ScheduleResponse(BaseModel):
    """A processing schedule."""

    schedule_id: UUID
    code: str
    name: str
    description: str | None
    version: int


class PeriodRequest(_Request):
    """A period of a schedule, from its first to its last day; no overlap with another."""

    name: Name
    start_date: date
    end_date: date


class PeriodResponse(BaseModel):
    """A processing period."""

    period_id: UUID
    schedule_id: UUID
    name: str
    start_date: date
    end_date: date
    months: int = Field(description="Its length in months; 15 days or more count as one")
    version: int


class GroupScheduleUpdateRequest(_Request):
    """The schedule a requisition group follows for a program."""

    schedule_id: UUID


class GroupScheduleRequest(GroupScheduleUpdateRequest):
    """Which schedule a requisition group (auth's) follows for a program."""

    group_id: UUID = Field(description="The requisition group (auth's group_id)")
    program_id: UUID


class GroupScheduleResponse(BaseModel):
    """The schedule a requisition group follows for a program."""

    group_id: UUID
    program_id: UUID
    schedule_id: UUID
    version: int


class TemplateColumn(BaseModel):
    """Where a column takes its value, and whether people see it."""

    model_config = ConfigDict(extra="forbid")

    source: Source
    displayed: bool = True


class TemplateUpdateRequest(_Request):
    """A template's columns by name (OpenLMIS's: `stock_on_hand`, `requested_quantity`…)."""

    name: Name
    columns: dict[ColumnName, TemplateColumn] = Field(max_length=40)
    facility_type_ids: list[UUID] = Field(
        default_factory=list, max_length=100, description="None: the program's default"
    )
    periods_to_average: int | None = Field(None, ge=1, le=120)
    stock_based: bool = Field(False, description="Stock columns come from the stock ledger")
    active: bool = True


class TemplateRequest(TemplateUpdateRequest):
    """A new requisition template of a program."""

    program_id: UUID


class TemplateResponse(BaseModel):
    """A requisition template."""

    template_id: UUID
    program_id: UUID
    name: str
    columns: dict[str, TemplateColumn]
    facility_type_ids: list[UUID]
    periods_to_average: int | None
    stock_based: bool
    active: bool
    version: int


class AmountUpdateRequest(_Request):
    """An ideal stock amount."""

    amount: Amount


class AmountRequest(AmountUpdateRequest):
    """The ideal stock amount of an item at the facility for a period."""

    orderable_id: UUID
    period_id: UUID


class AmountRow(AmountRequest):
    """One row of a load: a facility, an item, a period and its ideal stock amount."""

    facility_id: UUID


class AmountLoadRequest(_Request):
    """Many ideal stock amounts at once (e.g. from a catchment population spreadsheet)."""

    rows: list[AmountRow] = Field(min_length=1, max_length=10_000)


class AmountLoadResponse(BaseModel):
    """What a load did."""

    received: int
    changed: int = Field(description="Rows new or with another amount (each one published)")


class AmountResponse(BaseModel):
    """An ideal stock amount (ISA)."""

    facility_id: UUID
    orderable_id: UUID
    period_id: UUID
    amount: int
    version: int
