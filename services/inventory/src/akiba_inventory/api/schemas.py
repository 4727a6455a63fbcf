"""HTTP request and response models."""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class ReceiptRequest(BaseModel):
    """Stock of one item batch that arrived at the store."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    lot_code: str = Field(min_length=1, max_length=64, pattern=r"^\S(.*\S)?$")
    expiry_date: date | None = None
    quantity: int = Field(gt=0, le=1_000_000_000, description="Dispensing units received")
    location_id: UUID | None = None
    occurred_at: AwareDatetime | None = Field(None, description="When it arrived; default now")
    source: str | None = Field(None, max_length=200)
    reference: str | None = Field(None, max_length=200)


class MovementResponse(BaseModel):
    """A ledger entry as recorded."""

    movement_id: UUID
    store_id: UUID
    store_sequence: int
    item_id: UUID
    batch_id: UUID
    lot_code: str
    expiry_date: date | None
    location_id: UUID | None
    movement_type: str
    quantity: int
    occurred_at: datetime
    recorded_at: datetime


class StockLineResponse(BaseModel):
    """Stock on hand of one batch at one location."""

    item_id: UUID
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None
    quantity_on_hand: int
    store_sequence: int
