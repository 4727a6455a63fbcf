"""Commands: what a user or a system asks inventory to do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from uuid import UUID


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
