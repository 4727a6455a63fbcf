"""Commands: what a user or a system asks inventory to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from akiba_stock.ledger import LedgerKind


@dataclass(frozen=True)
class ReceiveStock:
    """Record stock arriving at a store from a source."""

    store_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None
    quantity: int
    occurred_at: datetime | None
    actor: str
    location_id: UUID | None = None
    source: str | None = None
    reference: str | None = None
    # The programs the author's right covers at the store; None: any item (edge facts, tools).
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class GoodsLine:
    """One line of a goods-received document: units of one lot put on one location."""

    item_id: UUID
    lot_code: str
    expiry_date: date | None
    quantity: int
    location_id: UUID | None = None
    unit_price: Decimal | None = None


@dataclass(frozen=True)
class ReceiveGoods:
    """Record a delivery from an outside supplier: every line a receipt, all or none."""

    store_id: UUID
    document_id: UUID
    supplier: str
    reference_kind: str
    reference_number: str
    received_at: datetime | None
    actor: str
    lines: tuple[GoodsLine, ...]
    note: str | None = None
    # The programs the author's right covers at the store; None: any item.
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class MovementLine:
    """One line of a document: units of one batch at one location."""

    item_id: UUID
    batch_id: UUID
    quantity: int
    location_id: UUID | None = None
    reason_id: UUID | None = None


@dataclass(frozen=True)
class RecordMovements:
    """Issue stock, or adjust it with reasons: a document of lines recorded at once."""

    store_id: UUID
    kind: LedgerKind
    lines: tuple[MovementLine, ...]
    occurred_at: datetime | None
    actor: str
    reference: str | None = None
    counterparty: str | None = None
    program_id: UUID | None = None
    # The programs the author's right covers at the store; None: any item (edge facts, tools).
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class MoveStock:
    """Move units of a batch from one location of the store to another."""

    store_id: UUID
    item_id: UUID
    batch_id: UUID
    from_location_id: UUID | None
    to_location_id: UUID | None
    quantity: int
    occurred_at: datetime | None
    actor: str
    reference: str | None = None
    # The programs the author's right covers at the store; None: any item (edge facts, tools).
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class HoldStock:
    """Put a stock line on hold (nothing leaves it) or release it."""

    store_id: UUID
    item_id: UUID
    batch_id: UUID | None
    location_id: UUID | None
    on_hold: bool
    actor: str
    # The programs the author's right covers at the store; None: any item (edge facts, tools).
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class CreateStocktake:
    """Snapshot the store's stock on hand for some items and/or locations (none given: all)."""

    store_id: UUID
    actor: str
    item_ids: tuple[UUID, ...] = ()
    location_ids: tuple[UUID, ...] = ()
    program_id: UUID | None = None
    reference: str | None = None
    # The programs the author's right covers at the store; None: any item.
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class Count:
    """One stock line's physical count, with the reason for any variance."""

    item_id: UUID
    batch_id: UUID
    location_id: UUID | None
    counted: int
    reason_id: UUID | None = None


@dataclass(frozen=True)
class EnterCounts:
    """Counts for some lines of a stocktake; a line counted again takes the latest count."""

    store_id: UUID
    stocktake_id: UUID
    actor: str
    counts: tuple[Count, ...]
    # The programs the author's right covers at the store; None: any item.
    programs: frozenset[UUID] | None = None


@dataclass(frozen=True)
class FinaliseStocktake:
    """Close the count and post its variances."""

    store_id: UUID
    stocktake_id: UUID
    actor: str
    # The programs the author's right covers at the store; None: any item.
    programs: frozenset[UUID] | None = None
