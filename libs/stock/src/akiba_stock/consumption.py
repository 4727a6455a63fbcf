"""Average monthly consumption (AMC) and months of stock (MOS), in exact decimals.

AMC = units consumed in the look-back window / months in the window, with a month of
365.25/12 days. Consumption is what left the store for use: issues and outbound
shipments. Transfers out and negative adjustments (losses, damage, expiry) are not
consumption. Results are rounded once, half up to 0.01, from the exact fraction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from akiba_stock.ledger import CardRow, LedgerEntry, LedgerKind

MONTH_DAYS = Decimal("365.25") / 12  # 30.4375 exactly
DEFAULT_LOOK_BACK_MONTHS = Decimal(3)
CONSUMPTION_KINDS = frozenset({LedgerKind.ISSUE, LedgerKind.SHIPMENT_OUT})
_SECONDS_PER_DAY = 86_400
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class LookBack:
    """The window [start, end) that AMC looks back over: `months` months ending at `end`."""

    end: datetime
    months: Decimal = DEFAULT_LOOK_BACK_MONTHS

    def __post_init__(self) -> None:
        if self.months <= 0:
            raise ValueError(f"a look-back window needs a positive number of months: {self.months}")

    @property
    def days(self) -> Decimal:
        """N, the window's length in days (91.3125 for three months)."""
        return self.months * MONTH_DAYS

    @property
    def start(self) -> datetime:
        """When the window opens, to the second."""
        seconds = (self.days * _SECONDS_PER_DAY).to_integral_value(ROUND_HALF_UP)
        return self.end - timedelta(seconds=int(seconds))

    def contains(self, at: datetime) -> bool:
        """Whether a moment falls in the window (start included, end excluded)."""
        return self.start <= at < self.end

    def whole_days(self) -> tuple[date, date]:
        """The first and last calendar days that lie entirely inside the window."""
        start = self.start
        first = start.date() if start.time() == datetime.min.time() else start.date() + _ONE_DAY
        return first, self.end.date() - _ONE_DAY


def consumed(entries: Iterable[LedgerEntry], window: LookBack) -> int:
    """Units consumed in the window, as a positive number."""
    return -sum(
        e.quantity
        for e in entries
        if e.kind in CONSUMPTION_KINDS and window.contains(e.occurred_at)
    )


def amc(units_consumed: int, window: LookBack, stockout_days: int = 0) -> Decimal | None:
    """Average monthly consumption, adjusted for stock-out days; None when it cannot be known.

    Days out of stock could not be consumed on, so consumption is scaled by N/(N - s)
    over the N-day window with s stock-out days. When s >= N the item was never in
    stock in the window: nothing says what it would have consumed, so AMC is undefined
    (None), not zero (zero would read as "not needed" and stop resupply).
    """
    if stockout_days < 0:
        raise ValueError(f"stock-out days cannot be negative: {stockout_days}")
    n = Fraction(window.days)
    if stockout_days >= n:
        return None
    exact = units_consumed * n / ((n - stockout_days) * Fraction(window.months))
    return to_cents(exact)


def months_of_stock(soh: int, monthly: Decimal | None) -> Decimal | None:
    """MOS = SOH / AMC to 0.01; None when AMC is unknown or zero (no consumption to divide by).

    A negative SOH (edge facts ahead of their receipts) counts as none on the shelf.
    """
    if monthly is None or monthly == 0:
        return None
    return to_cents(Fraction(max(soh, 0)) / Fraction(monthly))


def to_cents(value: Fraction) -> Decimal:
    """An exact fraction rounded half up (away from zero) to 0.01."""
    cents = math.floor(abs(value) * 100 + Fraction(1, 2))
    return (Decimal(cents if value >= 0 else -cents) / 100).quantize(Decimal("0.01"))


def stockout_days(
    rows: Sequence[CardRow], first_day: date, last_day: date, opening: int = 0
) -> int:
    """Days from `first_day` to `last_day` (inclusive) that closed with nothing on hand.

    `rows` is an item's stock card in card order (it may start before `first_day`);
    a day's closing balance is the balance after its last movement, or the day before's
    when nothing moved; `opening` is the balance before the first row. Negative closings
    (edge facts) count as stock-outs too.
    """
    count, balance, i, day = 0, opening, 0, first_day
    while day <= last_day:
        while i < len(rows) and rows[i].entry.occurred_at.date() <= day:
            balance, i = rows[i].balance, i + 1
        count += balance <= 0
        day += _ONE_DAY
    return count


def amc_from_card(rows: Sequence[CardRow], window: LookBack, opening: int = 0) -> Decimal | None:
    """AMC of one item's stock card: consumption in the window, adjusted for its stock-out days."""
    first, last = window.whole_days()
    out = stockout_days(rows, first, last, opening)
    return amc(consumed((r.entry for r in rows), window), window, out)
