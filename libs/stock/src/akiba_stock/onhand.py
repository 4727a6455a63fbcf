"""Which stock-on-hand lines a reader asks for: one filter, applied alike centrally and at sites."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID


@dataclass(frozen=True)
class StockOnHandFilter:
    """Lines a store's stock-on-hand list keeps: every criterion given (not None) must hold."""

    item_id: UUID | None = None
    location_id: UUID | None = None
    lot_code: str | None = None
    """Exact, ignoring case."""
    q: str | None = None
    """Part of the item's code or name, ignoring case."""
    expiring_before: date | None = None
    """Batches with no expiry date never match."""
    on_hold: bool | None = None
    include_empty: bool = False
    """Keep lines whose quantity is zero."""
    program_id: UUID | None = None
    """Items ordered under this program."""
