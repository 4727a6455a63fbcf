"""HTTP shapes only the requisition service serves (approval, release, batches, counts); the
shapes a store works with are shared with the site gateway (akiba_contracts.requisition_http)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import TRIMMED_PATTERN, text
from akiba_contracts.requisition_http import (
    MAX_LINES,
    InitiateRequest,
    InternalOrderRequest,
    LineEdit,
    LineResponse,
    LinesRequest,
    OpenPeriodsResponse,
    PeriodResponse,
    RequisitionPage,
    RequisitionResponse,
    RequisitionSummary,
    StepResponse,
)
from akiba_replenish.shapes import edit_of, summary, whole

__all__ = [
    "MAX_LINES",
    "BatchApproveRequest",
    "BatchApproveResponse",
    "BatchItem",
    "BatchResult",
    "CountsResponse",
    "InitiateRequest",
    "InternalOrderRequest",
    "LineEdit",
    "LineResponse",
    "LinesRequest",
    "OpenPeriodsResponse",
    "PeriodResponse",
    "RejectRequest",
    "ReleaseRequest",
    "RequisitionPage",
    "RequisitionResponse",
    "RequisitionSummary",
    "StepResponse",
    "edit_of",
    "summary",
    "whole",
]

Reason = Annotated[str, text(1000, min_length=1, pattern=TRIMMED_PATTERN)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


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


class CountsResponse(BaseModel):
    """Requisitions per status (for a dashboard)."""

    counts: dict[str, int]
