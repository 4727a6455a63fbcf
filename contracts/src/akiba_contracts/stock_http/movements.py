"""HTTP models of stock movements, stock on hand and stock cards."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import LotCode, Quantity, Reference


class ReceiptRequest(BaseModel):
    """Stock of one item batch that arrived at the store."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    lot_code: LotCode
    expiry_date: date | None = None
    quantity: Quantity = Field(description="Dispensing units received")
    location_id: UUID | None = None
    occurred_at: AwareDatetime | None = Field(None, description="When it arrived; default now")
    source: Reference | None = None
    reference: Reference | None = None


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


class LineRequest(BaseModel):
    """One line of an issue or adjustment document."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    batch_id: UUID
    quantity: Quantity = Field(description="Dispensing units, positive")
    location_id: UUID | None = None
    reason_id: UUID | None = None


class DocumentRequest(BaseModel):
    """Lines recorded together: all of them, or none if one is refused."""

    model_config = ConfigDict(extra="forbid")

    lines: list[LineRequest] = Field(min_length=1, max_length=5000)
    occurred_at: AwareDatetime | None = None
    reference: Reference | None = None
    program_id: UUID | None = Field(None, description="Checks the reasons are valid for it")


class IssueRequest(DocumentRequest):
    """Stock leaving the store outside the requisition workflow."""

    destination: Reference | None = None


class AdjustmentRequest(DocumentRequest):
    """Stock found, damaged, expired, lost…: every line has a reason."""

    direction: Literal["positive", "negative"]


class MoveRequest(BaseModel):
    """Units of a batch moving from one location of the store to another."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    batch_id: UUID
    from_location_id: UUID | None
    to_location_id: UUID | None
    quantity: Quantity
    occurred_at: AwareDatetime | None = None
    reference: Reference | None = None


class HoldRequest(BaseModel):
    """Hold a stock line (nothing leaves it) or release it."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    batch_id: UUID | None
    location_id: UUID | None = None
    on_hold: bool


class StockOnHandLine(BaseModel):
    """Stock on hand of one batch at one location."""

    item_id: UUID
    item_code: str
    item_name: str
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    location_id: UUID | None
    quantity: int
    reserved: int
    on_hold: bool
    available: int


class StockOnHandPage(BaseModel):
    """One page of a store's stock on hand."""

    items: list[StockOnHandLine]
    page: int
    size: int
    total: int


class CardRow(BaseModel):
    """One ledger entry on a stock card, with the balance after it."""

    movement_id: UUID
    store_sequence: int
    occurred_at: datetime
    recorded_at: datetime
    movement_type: str
    batch_id: UUID | None
    lot_code: str | None
    location_id: UUID | None
    quantity: int
    balance: int
    actor: str
    reason_id: UUID | None
    reference: str | None
    source: str | None = Field(None, description="Where it came from or went to (a supplier)")


class StockCardPage(BaseModel):
    """A page of a stock card, oldest first."""

    item_id: UUID
    batch_id: UUID | None
    rows: list[CardRow]
    page: int
    size: int
    total: int
