"""Requisitions recorded at sites: each step a site took, as a versioned document, and
central's refusal of one it cannot apply."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import ClassVar, Self
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from akiba_contracts.fields import Count, Note
from akiba_contracts.payloads.base import Payload
from akiba_contracts.payloads.requisition import RequisitionKind

__all__ = [
    "MAX_REQUISITION_LINES",
    "SiteLineEdit",
    "SiteLineFigures",
    "SiteRequisitionLine",
    "SiteRequisitionRecorded",
    "SiteRequisitionRefused",
    "SiteRequisitionStep",
]

MAX_REQUISITION_LINES = 5000
"""The most lines one requisition holds (a national catalogue is a few thousand items)."""


class SiteRequisitionStep(StrEnum):
    """What the site did: the facility's side of a requisition's life."""

    INITIATE = "INITIATE"  # a new requisition with its computed lines
    EDIT = "EDIT"  # requested quantities (with explanations) changed
    SUBMIT = "SUBMIT"
    AUTHORIZE = "AUTHORIZE"
    SEND = "SEND"  # an internal order sent to its supplier
    SKIP = "SKIP"
    DELETE = "DELETE"


class SiteLineFigures(BaseModel):
    """What the site's ledger gave a line (absent where a column does not apply)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    beginning_balance: int | None = None
    received: int | None = None
    consumed: int | None = None
    losses_and_adjustments: int | None = None
    stock_on_hand: int | None = None
    stockout_days: int | None = Field(None, ge=0)
    total: int | None = None
    adjusted_consumption: int | None = None
    average_consumption: int | None = None
    maximum_stock: int | None = None
    ideal_stock_order: int | None = None
    average_monthly_consumption: Decimal | None = None
    months_of_stock: Decimal | None = None


class SiteRequisitionLine(BaseModel):
    """One line as the site computed it, with the pack rules it was computed under."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    orderable_id: UUID
    position: int = Field(ge=0)
    full_supply: bool
    pack_size: int = Field(ge=1)
    pack_rounding_threshold: int = Field(ge=0)
    round_to_zero: bool
    price_per_pack: Decimal | None
    calculated: Count
    requested: Count | None = None
    explanation: Note | None = None
    figures: SiteLineFigures


class SiteLineEdit(BaseModel):
    """A requested quantity the site changed, with its reason."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    orderable_id: UUID
    requested: Count
    explanation: Note | None = None


class SiteRequisitionRecorded(Payload):
    """One step a site took on one of its stores' requisitions, offline or not.

    `expected_version` is the version the site took the step on: central applies it only on
    that version (as If-Match; never a whole-document overwrite), so a site's steps apply once
    and in order, and one made on a requisition central has moved since is refused, not merged.
    INITIATE (expected version 0) carries the requisition and its lines; EDIT the changed lines.
    """

    event_type: ClassVar[str] = "org.akiba.sites.requisition.recorded.v1"

    requisition_id: UUID
    facility_id: UUID = Field(description="The requesting store, which the site manages.")
    step: SiteRequisitionStep
    expected_version: int = Field(
        ge=0, description="The version the step was taken on (0 for INITIATE)."
    )
    actor: str = Field(min_length=1, max_length=200)
    at: AwareDatetime
    kind: RequisitionKind | None = Field(None, description="INITIATE only.")
    program_id: UUID | None = None
    period_id: UUID | None = None
    emergency: bool = False
    supplying_facility_id: UUID | None = Field(None, description="An internal order's supplier.")
    template_id: UUID | None = None
    max_months_of_stock: Decimal | None = None
    min_months_of_stock: Decimal | None = None
    comment: Note | None = None
    lines: list[SiteRequisitionLine] = Field(default_factory=list, max_length=MAX_REQUISITION_LINES)
    edits: list[SiteLineEdit] = Field(default_factory=list, max_length=MAX_REQUISITION_LINES)

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.step is SiteRequisitionStep.INITIATE:
            if self.kind is None or self.expected_version != 0:
                raise ValueError("an INITIATE step names its kind and expects version 0")
        elif self.expected_version < 1:
            raise ValueError("a step after INITIATE expects version 1 or more")
        if self.step is SiteRequisitionStep.EDIT and not self.edits:
            raise ValueError("an EDIT step names the lines it changed")
        return self

    def partition_key(self) -> str:
        """Keyed by requisition, so one requisition's steps stay in order."""
        return str(self.requisition_id)


class SiteRequisitionRefused(Payload):
    """Central could not apply a site's requisition step: it reaches the site on its feed."""

    event_type: ClassVar[str] = "org.akiba.requisition.site-step.refused.v1"

    event_id: str = Field(description="The refused CloudEvent's id.")
    site_id: str | None = Field(description="The `siteid` it claimed.")
    requisition_id: UUID
    facility_id: UUID
    step: SiteRequisitionStep
    expected_version: int
    reason: str
    refused_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by requisition, like the steps."""
        return str(self.requisition_id)
