"""Stock alerts: which are active for an item's state, and which started or ended.

An alert's identity is (kind, store, item, batch) and nothing else, so a movement that
only changes the MOS figure of an alert already active is not a transition; events are
published on `transitions`, never per movement.

Precedence, per store and item (at most one stock-level alert at a time):
  negative stock > out of stock > low stock | overstock.
- Negative stock (edge facts took SOH below zero) is the most urgent: the figure itself
  is wrong, and nothing is on the shelf either.
- Out of stock needs SOH 0 AND consumption in the look-back window; an item with none of
  either is simply not in use here and raises nothing. It suppresses low stock (MOS 0).
- Low stock / overstock compare MOS with the program's min / max; with no AMC (no
  consumption) MOS is undefined and neither is raised.
Per batch with stock on hand: expired suppresses expiring soon. A batch is usable
through its expiry date, so it is expired from the day after.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from uuid import UUID

from akiba_stock.consumption import months_of_stock


class AlertKind(StrEnum):
    """What an alert warns about."""

    LOW_STOCK = "low_stock"
    OVERSTOCK = "overstock"
    OUT_OF_STOCK = "out_of_stock"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    NEGATIVE_STOCK = "negative_stock"


@dataclass(frozen=True)
class ActiveAlert:
    """One alert that is on; batch-level kinds name the batch, item-level ones do not."""

    kind: AlertKind
    store_id: UUID
    item_id: UUID
    batch_id: UUID | None = None


@dataclass(frozen=True)
class Thresholds:
    """A program's min/max months of stock and how early to warn of expiry."""

    min_mos: Decimal = Decimal(3)
    max_mos: Decimal = Decimal(6)
    expiring_within_days: int = 90

    def __post_init__(self) -> None:
        if not 0 <= self.min_mos <= self.max_mos or self.expiring_within_days < 0:
            raise ValueError(f"thresholds out of order: {self}")


@dataclass(frozen=True)
class BatchState:
    """A batch's expiry and its stock on hand in the store."""

    batch_id: UUID
    expiry_date: date | None
    soh: int


@dataclass(frozen=True)
class ItemState:
    """What alerts look at for one item in one store."""

    store_id: UUID
    item_id: UUID
    soh: int
    amc: Decimal | None
    consumed_in_window: int
    batches: tuple[BatchState, ...] = field(default_factory=tuple)


def evaluate(state: ItemState, thresholds: Thresholds, today: date) -> set[ActiveAlert]:
    """Every alert active for this item in this store today."""
    level = _stock_level(state, thresholds)
    alerts = {ActiveAlert(level, state.store_id, state.item_id)} if level else set()
    return alerts | {
        ActiveAlert(kind, state.store_id, state.item_id, batch.batch_id)
        for batch in state.batches
        if (kind := _expiry(batch, thresholds, today))
    }


def _stock_level(state: ItemState, thresholds: Thresholds) -> AlertKind | None:
    if state.soh < 0:
        return AlertKind.NEGATIVE_STOCK
    if state.soh == 0:
        return AlertKind.OUT_OF_STOCK if state.consumed_in_window > 0 else None
    mos = months_of_stock(state.soh, state.amc)
    if mos is None:
        return None
    if mos < thresholds.min_mos:
        return AlertKind.LOW_STOCK
    return AlertKind.OVERSTOCK if mos > thresholds.max_mos else None


def _expiry(batch: BatchState, thresholds: Thresholds, today: date) -> AlertKind | None:
    if batch.soh <= 0 or batch.expiry_date is None:
        return None
    if batch.expiry_date < today:
        return AlertKind.EXPIRED
    soon = today + timedelta(days=thresholds.expiring_within_days)
    return AlertKind.EXPIRING_SOON if batch.expiry_date <= soon else None


def transitions(
    before: set[ActiveAlert], after: set[ActiveAlert]
) -> tuple[set[ActiveAlert], set[ActiveAlert]]:
    """(started, ended): the alerts to announce as starting and as ending."""
    return after - before, before - after
