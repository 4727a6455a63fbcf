"""Stock alerts inventory publishes when one starts or ends (never per movement)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import ClassVar
from uuid import UUID

from pydantic import AwareDatetime, Field

from akiba_contracts.payloads.base import Payload

__all__ = ["AlertEnded", "AlertKind", "AlertStarted", "alert_key"]


class AlertKind(StrEnum):
    """What an alert warns about; expiry kinds are per batch, the others per item."""

    LOW_STOCK = "low_stock"
    OVERSTOCK = "overstock"
    OUT_OF_STOCK = "out_of_stock"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    NEGATIVE_STOCK = "negative_stock"


def alert_key(store_id: UUID, item_id: UUID, batch_id: UUID | None) -> str:
    """The compacted-topic key `store_id:item_id`, or `store_id:item_id:batch_id` per batch."""
    base = f"{store_id}:{item_id}"
    return f"{base}:{batch_id}" if batch_id else base


class _Alert(Payload):
    """What both transitions say about the alert and the stock it is about."""

    alert_id: UUID = Field(description="One occurrence: the same id starts and ends it.")
    kind: AlertKind
    store_id: UUID
    item_id: UUID
    batch_id: UUID | None = Field(description="Set for expiry alerts, which are per batch.")
    started_at: AwareDatetime
    stock_on_hand: int = Field(description="Of the item (of the batch, for expiry alerts).")
    amc: Decimal | None = Field(description="Average monthly consumption; null when unknown.")
    months_of_stock: Decimal | None = Field(description="SOH / AMC; null when AMC is 0/unknown.")
    expiry_date: date | None = Field(description="The batch's expiry, for expiry alerts.")

    def partition_key(self) -> str:
        """Keyed by item (or batch): at most one alert per key is active, so the latest is it."""
        return alert_key(self.store_id, self.item_id, self.batch_id)


class AlertStarted(_Alert):
    """An alert became active; it stays active until an AlertEnded with its alert_id."""

    event_type: ClassVar[str] = "org.akiba.inventory.alert.started.v1"


class AlertEnded(_Alert):
    """An active alert ended; figures are those at the moment it ended."""

    event_type: ClassVar[str] = "org.akiba.inventory.alert.ended.v1"

    ended_at: AwareDatetime
