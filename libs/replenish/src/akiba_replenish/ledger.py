"""A period's ledger figures from the stock ledger summed by day (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from akiba_contracts.payloads.inventory import MovementType as M
from akiba_replenish.lines import LedgerFigures

# Which ledger movements count as received (B) and consumed (C); adjustments and stocktake
# balances are D. Every movement moves the balance (net), whatever its column.
RECEIVED = frozenset({M.RECEIPT, M.TRANSFER_IN, M.SHIPMENT_IN})
CONSUMED = frozenset({M.ISSUE, M.TRANSFER_OUT, M.SHIPMENT_OUT})
ADJUSTED = frozenset({M.ADJUSTMENT_POSITIVE, M.ADJUSTMENT_NEGATIVE, M.STOCKTAKE_BALANCE})


@dataclass(frozen=True)
class Day:
    """One item's movements on one day at one store, summed by kind (signed net)."""

    day: date
    received: int
    consumed: int
    adjusted: int
    net: int


def columns_of(movement_type: str, quantity: int) -> tuple[int, int, int]:
    """What one signed ledger quantity adds to received, consumed and adjusted."""
    if movement_type in RECEIVED:
        return quantity, 0, 0
    if movement_type in CONSUMED:
        return 0, -quantity, 0  # issues are negative in the ledger, consumption positive
    if movement_type in ADJUSTED:
        return 0, 0, quantity
    return 0, 0, 0


def period_figures(opening: int, days: Iterable[Day], start: date, end: date) -> LedgerFigures:
    """A, B, D, E and stock-out days of [start, end], from the balance before it and its days.

    A day is stocked out when the item's balance at its close is zero or less; days without
    movements keep the balance of the last day that had one.
    """
    balance, received, adjusted, stockout = opening, 0, 0, 0
    cursor = start  # the first day whose closing balance is not yet counted
    for d in sorted((d for d in days if start <= d.day <= end), key=lambda d: d.day):
        stockout += _out(balance, (d.day - cursor).days)
        balance += d.net
        received += d.received
        adjusted += d.adjusted
        stockout += _out(balance, 1)
        cursor = d.day + timedelta(days=1)
    stockout += _out(balance, (end - cursor).days + 1)
    return LedgerFigures(opening, received, adjusted, balance, stockout)


def figures_over(
    opening: int, days: Sequence[Day], periods: Sequence[tuple[date, date]]
) -> list[LedgerFigures]:
    """Figures of consecutive periods (oldest first), `opening` being the balance before the
    first; each period opens with the balance the previous one closed on."""
    out: list[LedgerFigures] = []
    previous_end: date | None = None
    for start, end in periods:
        if previous_end is not None:
            # Days between two periods (a gap in the schedule) still move the balance.
            opening += sum(d.net for d in days if previous_end < d.day < start)
        figures = period_figures(opening, days, start, end)
        out.append(figures)
        opening, previous_end = figures.stock_on_hand, end
    return out


def _out(balance: int, days: int) -> int:
    return max(days, 0) if balance <= 0 else 0
