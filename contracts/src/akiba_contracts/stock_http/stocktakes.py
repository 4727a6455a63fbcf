"""HTTP models for stocktakes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import Count, Reference

MAX_LINES = 10_000


class StocktakeRequest(BaseModel):
    """What to count: some items and/or locations of the store, or (none given) all of it."""

    model_config = ConfigDict(extra="forbid")

    item_ids: list[UUID] = Field(default_factory=list, max_length=MAX_LINES)
    location_ids: list[UUID] = Field(default_factory=list, max_length=1000)
    program_id: UUID | None = Field(None, description="Reasons must be valid for it")
    reference: Reference | None = None


class CountLine(BaseModel):
    """The physical count of one batch at one location."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    batch_id: UUID
    location_id: UUID | None = None
    counted: Count = Field(description="Dispensing units on the shelf")
    reason_id: UUID | None = Field(
        None, description="Why it differs: credit if more than expected, debit if less"
    )


class CountRequest(BaseModel):
    """Counts for some lines; a line counted again takes the latest count and reason."""

    model_config = ConfigDict(extra="forbid")

    lines: list[CountLine] = Field(min_length=1, max_length=MAX_LINES)


class StocktakeResponse(BaseModel):
    """A stocktake's header and totals."""

    stocktake_id: UUID
    store_id: UUID
    status: Literal["draft", "counting", "finalised"]
    snapshot_sequence: int = Field(description="The store's last ledger sequence at the snapshot")
    item_ids: list[UUID]
    location_ids: list[UUID]
    program_id: UUID | None
    reference: str | None
    created_by: str
    created_at: datetime | None
    updated_at: datetime | None
    finalised_by: str | None
    finalised_at: datetime | None
    adjustments: int | None = Field(description="Stocktake-balance movements posted")
    lines: int
    counted: int


class StocktakeLineResponse(BaseModel):
    """One line: snapshot, expected now (or at finalising), counted and the variance."""

    item_id: UUID
    item_code: str
    item_name: str
    batch_id: UUID
    lot_code: str
    expiry_date: date | None
    location_id: UUID | None
    snapshot: int
    expected: int | None
    counted: int | None
    variance: int | None
    reason_id: UUID | None
    counted_by: str | None
    counted_at: datetime | None
    movement_id: UUID | None


class StocktakeDetail(StocktakeResponse):
    """A stocktake with one page of its lines."""

    items: list[StocktakeLineResponse]
    page: int
    size: int
    total: int


class StocktakePage(BaseModel):
    """One page of a store's stocktakes, newest first."""

    items: list[StocktakeResponse]
    page: int
    size: int
    total: int
