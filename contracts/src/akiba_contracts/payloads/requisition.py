"""Payloads published by the requisition service: every step of a requisition, and its release."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import Count, Note
from akiba_contracts.payloads.base import Payload

__all__ = [
    "ReleasedLine",
    "RequisitionKind",
    "RequisitionLineState",
    "RequisitionReleased",
    "RequisitionStatusChanged",
]

_KEY = "Keyed by requisition, so one requisition's events stay in order."


class RequisitionKind(StrEnum):
    """A program's periodic requisition, or an internal order from one store to another."""

    PROGRAM = "PROGRAM"
    INTERNAL_ORDER = "INTERNAL_ORDER"


class RequisitionLineState(BaseModel):
    """One line's quantities after a step: what the rules computed, asked and approved."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    orderable_id: UUID
    calculated: Count
    requested: Count | None = None
    approved: Count | None = None
    remarks: Note | None = None


class RequisitionStatusChanged(Payload):
    """A requisition moved: initiated, submitted, authorized, in approval, approved, rejected,
    skipped, released (with or without an order) or deleted; or its lines were edited (the
    status stays, the version moves)."""

    event_type: ClassVar[str] = "org.akiba.requisition.status.changed.v1"

    requisition_id: UUID
    kind: RequisitionKind
    facility_id: UUID = Field(description="The requesting store.")
    program_id: UUID | None = Field(description="Absent for an internal order outside programs.")
    period_id: UUID | None
    emergency: bool
    status: str = Field(
        description="INITIATED, SUBMITTED, AUTHORIZED, IN_APPROVAL, APPROVED, REJECTED, SKIPPED,"
        " RELEASED, RELEASED_WITHOUT_ORDER or DELETED."
    )
    version: int = Field(ge=1, description="The requisition's version after this step.")
    node_id: UUID | None = Field(description="The supervisory node where it now waits, if any.")
    supplying_facility_id: UUID | None
    actor: str
    reason: Note | None = Field(None, description="Why it was rejected.")
    at: AwareDatetime
    lines: list[RequisitionLineState] | None = Field(
        None,
        description="Its lines as they stand after the step (approved quantities included);"
        " absent from records written before lines were added, and from a deletion.",
    )

    def partition_key(self) -> str:
        """Keyed by requisition."""
        return str(self.requisition_id)


class ReleasedLine(BaseModel):
    """One product to supply: the approved quantity in dispensing units and in packs."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    orderable_id: UUID
    approved_quantity: Count = Field(description="In dispensing units.")
    packs: Count = Field(description="Whole packs to ship, rounded by the item's rules.")
    pack_size: int = Field(ge=1, description="Dispensing units per pack.")
    price_per_pack: Decimal | None
    remarks: Note | None = None


class RequisitionReleased(Payload):
    """An approved requisition became an order: all fulfillment needs to create it."""

    event_type: ClassVar[str] = "org.akiba.requisition.released.v1"

    requisition_id: UUID
    kind: RequisitionKind
    requesting_facility_id: UUID
    supplying_facility_id: UUID
    program_id: UUID | None
    period_id: UUID | None
    period_start: date | None
    period_end: date | None
    emergency: bool
    version: int = Field(ge=1)
    released_by: str
    released_at: AwareDatetime
    lines: list[ReleasedLine]

    def partition_key(self) -> str:
        """Keyed by requisition."""
        return str(self.requisition_id)
