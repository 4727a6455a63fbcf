"""Reference data requisition owns, on compacted topics: the latest record per key is current.

Programs and what they order (`requisition.programs`), schedules with their periods and the
schedule each requisition group follows (`requisition.schedules`), requisition templates
(`requisition.templates`) and ideal stock amounts (`requisition.ideal-stock-amounts`). Each
record is the full state of one thing; decimals travel as strings, exactly.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.payloads.base import Payload

__all__ = [
    "ApprovedProductChanged",
    "ColumnSource",
    "GroupScheduleChanged",
    "IdealStockAmountChanged",
    "PeriodChanged",
    "ProgramChanged",
    "ProgramOrderableChanged",
    "ScheduleChanged",
    "TemplateChanged",
    "TemplateColumn",
]

_VERSION = "Grows with every change of the record; a consumer ignores a lower one."
_PERIODS = "In periods of the facility's schedule (months when monthly); a decimal, as a string."


class ProgramChanged(Payload):
    """A program was created or changed."""

    event_type: ClassVar[str] = "org.akiba.requisition.program.changed.v1"

    program_id: UUID
    code: str
    name: str
    description: str | None = None
    periods_skippable: bool = Field(description="Facilities may skip a period's requisition.")
    skip_authorization: bool = Field(description="Submitting a requisition also authorizes it.")
    report_only: bool = Field(description="Requisitions report stock and order nothing.")
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by program."""
        return str(self.program_id)


class ProgramOrderableChanged(Payload):
    """An item's settings under a program were created or changed."""

    event_type: ClassVar[str] = "org.akiba.requisition.program-orderable.changed.v1"

    program_id: UUID
    orderable_id: UUID = Field(description="The item (inventory's item_id).")
    full_supply: bool = Field(description="Ordered on every requisition (else on demand).")
    price_per_pack: Decimal | None = Field(
        None, description="What a pack costs; a decimal, as a string."
    )
    category: str
    display_order: int = Field(ge=0)
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by program and item."""
        return f"{self.program_id}:{self.orderable_id}"


class ApprovedProductChanged(Payload):
    """An item approved for a type of facility under a program was created or changed."""

    event_type: ClassVar[str] = "org.akiba.requisition.approved-product.changed.v1"

    facility_type_id: UUID
    program_id: UUID
    orderable_id: UUID = Field(description="The item (inventory's item_id).")
    max_periods_of_stock: Decimal = Field(description=_PERIODS)
    min_periods_of_stock: Decimal | None = Field(None, description=_PERIODS)
    emergency_order_point: Decimal | None = Field(None, description=_PERIODS)
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by facility type, program and item."""
        return f"{self.facility_type_id}:{self.program_id}:{self.orderable_id}"


class ScheduleChanged(Payload):
    """A processing schedule was created or changed (its periods travel on their own)."""

    event_type: ClassVar[str] = "org.akiba.requisition.schedule.changed.v1"

    schedule_id: UUID
    code: str
    name: str
    description: str | None = None
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by schedule."""
        return str(self.schedule_id)


class PeriodChanged(Payload):
    """A processing period of a schedule was created or changed."""

    event_type: ClassVar[str] = "org.akiba.requisition.period.changed.v1"

    period_id: UUID
    schedule_id: UUID
    name: str
    start_date: date
    end_date: date = Field(description="Its last day (inclusive).")
    months: int = Field(
        ge=1, description="Its length in months, a remainder of 15 days or more counting one."
    )
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by period."""
        return str(self.period_id)


class GroupScheduleChanged(Payload):
    """The schedule a requisition group follows for a program was set."""

    event_type: ClassVar[str] = "org.akiba.requisition.group-schedule.changed.v1"

    group_id: UUID = Field(description="The requisition group (auth's group_id).")
    program_id: UUID
    schedule_id: UUID
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by group and program."""
        return f"{self.group_id}:{self.program_id}"


class ColumnSource(StrEnum):
    """Where a requisition column takes its value."""

    USER_INPUT = "USER_INPUT"
    CALCULATED = "CALCULATED"
    REFERENCE_DATA = "REFERENCE_DATA"
    STOCK_CARDS = "STOCK_CARDS"


class TemplateColumn(BaseModel):
    """One column of a template."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    source: ColumnSource
    displayed: bool


class TemplateChanged(Payload):
    """A requisition template was created or changed."""

    event_type: ClassVar[str] = "org.akiba.requisition.template.changed.v1"

    template_id: UUID
    program_id: UUID
    facility_type_ids: list[UUID] = Field(
        description="The facility types it applies to; empty: the program's default."
    )
    name: str
    columns: dict[str, TemplateColumn] = Field(
        description="By column name (`stock_on_hand`, `requested_quantity`…; OpenLMIS's)."
    )
    periods_to_average: int | None = Field(None, ge=2)
    stock_based: bool = Field(description="Stock columns come from the stock ledger.")
    active: bool
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by template."""
        return str(self.template_id)


class IdealStockAmountChanged(Payload):
    """An ideal stock amount (ISA) was set for a facility, item and period."""

    event_type: ClassVar[str] = "org.akiba.requisition.ideal-stock-amount.changed.v1"

    facility_id: UUID = Field(description="The store (inventory's store_id).")
    orderable_id: UUID = Field(description="The item (inventory's item_id).")
    period_id: UUID
    amount: int = Field(ge=0, description="In dispensing units.")
    version: int = Field(ge=1, description=_VERSION)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by facility, item and period."""
        return f"{self.facility_id}:{self.orderable_id}:{self.period_id}"
