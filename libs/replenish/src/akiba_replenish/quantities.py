"""The figures of a requisition line, by their column letters, as OpenLMIS defines them.

A beginning balance, B received, C consumed, D losses and adjustments (signed), E stock on
hand, H maximum stock, I calculated order quantity, N adjusted consumption, P average
consumption, X stock-out days, Z additional quantity required. Quantities are whole
dispensing units; ratios are exact (`Fraction`) and rounded once, the way each rule says.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil

DAYS_PER_MONTH = 30  # OpenLMIS counts a period's days as 30 per month, whatever the calendar


def stock_on_hand(a: int, b: int, c: int, d: int) -> int:
    """E = A + B + D - C."""
    return a + b + d - c


def consumed(a: int, b: int, d: int, e: int) -> int:
    """C = A + B + D - E: what left the shelf that the ledger does not name otherwise."""
    return a + b + d - e


def total(a: int, b: int) -> int:
    """Y = A + B."""
    return a + b


def adjusted_consumption(c: int, x: int, months: int, z: int | None = None) -> int:
    """N: consumption as if the item had been in stock every day of the period.

    N = ceil(C * 30m / (30m - X)), plus Z when the template has that column and Z > 0; N = C
    when no day was stocked out (or every day was); 0 when nothing was consumed. Exact: the
    ratio is not rounded before the ceiling (OpenLMIS divides to 1,000 digits first, which
    can add one where the exact value is whole, e.g. C=7, X=9, m=1: exactly 10, not 11).
    """
    if c == 0:
        return 0
    days = DAYS_PER_MONTH * months
    stocked = days - x
    n = c if stocked <= 0 or x <= 0 else ceil(Fraction(c * days, stocked))
    return n + z if z is not None and z > 0 else n


def average_consumption(adjusted: Sequence[int]) -> int:
    """P = ceil(mean of N over this period and the previous ones averaged); N alone if one."""
    if not adjusted:
        raise ValueError("average consumption needs this period's adjusted consumption")
    return ceil(Fraction(sum(adjusted), len(adjusted)))


def maximum_stock(p: int, max_periods_of_stock: Decimal) -> int:
    """H = P * max periods of stock, rounded half up to a whole unit."""
    return int((Decimal(p) * max_periods_of_stock).to_integral_value(rounding=ROUND_HALF_UP))


def calculated_order(h: int, e: int) -> int:
    """I = max(0, H - E)."""
    return max(0, h - e)


def ideal_stock_order(isa: int | None, e: int) -> int | None:
    """The ISA-based quantity: max(0, ISA - E); None where no ideal stock amount is set."""
    return None if isa is None else max(0, isa - e)


def packs_to_ship(quantity: int, pack_size: int, threshold: int, round_to_zero: bool) -> int:
    """Whole packs for a quantity of dispensing units.

    A remainder above the rounding threshold takes one more pack; an order that would ship no
    pack ships one, unless the product may round to zero. Nothing asked (or no pack size): 0.
    """
    if quantity <= 0 or pack_size <= 0:
        return 0
    packs, remainder = divmod(quantity, pack_size)
    if remainder > threshold:
        packs += 1
    return 1 if packs == 0 and not round_to_zero else packs


def total_cost(packs: int, price_per_pack: Decimal | None) -> Decimal:
    """Packs * price per pack (no price: nothing)."""
    return Decimal(packs) * (price_per_pack if price_per_pack is not None else Decimal(0))


def months_of_stock(soh: int, amc: Fraction) -> Fraction | None:
    """SOH / AMC; None when nothing is consumed (any stock lasts for ever)."""
    return None if amc <= 0 else Fraction(soh) / amc


def suggested_internal_order(soh: int, amc: Fraction, min_mos: Fraction, max_mos: Fraction) -> int:
    """What an internal order suggests (the Open mSupply rule).

    When months of stock are at or below the threshold (min MOS, or max MOS when min is 0),
    order up to max MOS: ceil((max MOS - MOS) * AMC); otherwise 0. Also 0 when nothing is
    consumed or no maximum is set.
    """
    mos = months_of_stock(soh, amc)
    if mos is None or max_mos <= 0:
        return 0
    threshold = min_mos if min_mos > 0 else max_mos
    if mos > threshold:
        return 0
    return max(0, ceil((max_mos - mos) * amc))
