"""HTTP models of goods-received documents: one delivery from an outside supplier, many lines."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import (
    TRIMMED_PATTERN,
    LotCode,
    Name,
    Note,
    Quantity,
    decimal_schema,
    text,
)

MAX_LINES = 5000
ReferenceKind = Literal["purchase_order", "donation", "other"]
ReferenceNumber = Annotated[str, text(64, min_length=1, pattern=TRIMMED_PATTERN)]
"""A purchase order, donation or delivery note number: 1 to 64 characters, trimmed."""
_PRICE = "What one dispensing unit cost"
UnitPrice = Annotated[
    Decimal,
    Field(ge=0, max_digits=18, decimal_places=4, description=_PRICE),
    decimal_schema(18, 4, _PRICE),
]


class GoodsReceivedLine(BaseModel):
    """Units of one item batch received, put on one location."""

    model_config = ConfigDict(extra="forbid")

    item_id: UUID
    lot_code: LotCode
    expiry_date: date | None = None
    quantity: Quantity = Field(description="Dispensing units received")
    location_id: UUID | None = None
    unit_price: UnitPrice | None = None


class GoodsReceivedRequest(BaseModel):
    """A delivery from a supplier: checked line by line, posted whole or not at all."""

    model_config = ConfigDict(extra="forbid")

    supplier: Name
    reference_kind: ReferenceKind
    reference_number: ReferenceNumber
    received_at: AwareDatetime | None = Field(None, description="When it arrived; default now")
    note: Note | None = None
    lines: list[GoodsReceivedLine] = Field(min_length=1, max_length=MAX_LINES)


class GoodsReceivedLineResponse(BaseModel):
    """A line as posted: its batch and the receipt movement that put it in the ledger."""

    line_index: int = Field(description="The line's position in the request, from 0")
    item_id: UUID
    batch_id: UUID
    lot_code: str
    expiry_date: date | None
    quantity: int
    location_id: UUID | None
    unit_price: Decimal | None
    movement_id: UUID


class GoodsReceivedSummary(BaseModel):
    """A goods-received document's header."""

    document_id: UUID
    store_id: UUID
    supplier: str
    reference_kind: ReferenceKind
    reference_number: str
    received_at: datetime
    note: str | None
    recorded_by: str
    recorded_at: datetime
    line_count: int
    total_quantity: int = Field(description="Dispensing units over all lines")


class GoodsReceivedResponse(GoodsReceivedSummary):
    """A goods-received document with every line."""

    lines: list[GoodsReceivedLineResponse]


class GoodsReceivedPage(BaseModel):
    """One page of a store's goods-received documents, newest first."""

    items: list[GoodsReceivedSummary]
    page: int
    size: int
    total: int
