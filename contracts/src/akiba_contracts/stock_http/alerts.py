"""HTTP models of consumption (AMC, MOS), store summaries and alerts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

from pydantic import BaseModel, Field

from akiba_contracts.payloads.alerts import AlertKind


class ConsumptionResponse(BaseModel):
    """AMC and MOS of one item in one store over its look-back window, ending now."""

    store_id: UUID
    item_id: UUID
    look_back_months: Decimal
    window_start: datetime
    window_end: datetime
    window_days: Decimal = Field(description="N: the window's length in days (month = 30.4375)")
    consumed: int = Field(description="Units issued and shipped out in the window")
    stockout_days: int = Field(description="Whole days in the window that closed with no stock")
    amc: Decimal | None = Field(description="consumed / months * N / (N - stock-out days)")
    stock_on_hand: int
    months_of_stock: Decimal | None = Field(description="SOH / AMC; null when AMC is 0 or unknown")
    min_months_of_stock: Decimal
    max_months_of_stock: Decimal


class AlertRef(BaseModel):
    """An active alert on an item (a batch for expiry kinds)."""

    kind: AlertKind
    batch_id: UUID | None


class SummaryLine(BaseModel):
    """One item of a store summary."""

    item_id: UUID
    item_code: str
    item_name: str
    stock_on_hand: int
    amc: Decimal | None
    months_of_stock: Decimal | None
    nearest_expiry: date | None = Field(description="Earliest expiry of a batch with stock")
    alerts: list[AlertRef]


class SummaryPage(BaseModel):
    """One page of a store's items, by code."""

    store_id: UUID
    items: list[SummaryLine]
    page: int
    size: int
    total: int


class AlertResponse(BaseModel):
    """An active alert with the figures it started on."""

    alert_id: UUID
    kind: AlertKind
    store_id: UUID
    store_code: str
    item_id: UUID
    item_code: str
    item_name: str
    batch_id: UUID | None
    lot_code: str | None
    expiry_date: date | None
    started_at: datetime
    stock_on_hand: int
    amc: Decimal | None
    months_of_stock: Decimal | None


class AlertPage(BaseModel):
    """One page of active alerts, newest first."""

    items: list[AlertResponse]
    page: int
    size: int
    total: int
