"""A stock-based program requisition line, computed whole from what the ledger says."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from akiba_replenish import quantities as q


@dataclass(frozen=True)
class LedgerFigures:
    """One item's period at one store, as read from the stock ledger."""

    beginning_balance: int  # A: stock on hand when the period began
    received: int  # B
    losses_and_adjustments: int  # D: signed, stocktake balances included
    stock_on_hand: int  # E: at the period's end
    stockout_days: int  # X: days of the period the item had none


@dataclass(frozen=True)
class LineRules:
    """What the program, the product and the template say about the line."""

    months_in_period: int
    max_periods_of_stock: Decimal
    pack_size: int
    rounding_threshold: int
    round_to_zero: bool
    price_per_pack: Decimal | None = None
    additional_quantity_column: bool = False
    ideal_stock_amount: int | None = None


@dataclass(frozen=True)
class LineQuantities:
    """Every calculated column of the line."""

    consumed: int  # C
    total: int  # Y
    adjusted_consumption: int  # N
    average_consumption: int  # P
    maximum_stock: int  # H
    calculated_order: int  # I
    ideal_stock_order: int | None
    packs_to_ship: int  # V, of the calculated order until someone requests or approves
    total_cost: Decimal  # Q


def quantify(
    figures: LedgerFigures,
    rules: LineRules,
    previous_adjusted: Sequence[int] = (),
    additional: int | None = None,
) -> LineQuantities:
    """The line's figures: `previous_adjusted` holds N of the earlier periods to average."""
    a, b, d, e = (
        figures.beginning_balance,
        figures.received,
        figures.losses_and_adjustments,
        figures.stock_on_hand,
    )
    c = q.consumed(a, b, d, e)
    z = additional if rules.additional_quantity_column else None
    n = q.adjusted_consumption(c, figures.stockout_days, rules.months_in_period, z)
    p = q.average_consumption([n, *previous_adjusted])
    h = q.maximum_stock(p, rules.max_periods_of_stock)
    i = q.calculated_order(h, e)
    packs = q.packs_to_ship(i, rules.pack_size, rules.rounding_threshold, rules.round_to_zero)
    return LineQuantities(
        consumed=c,
        total=q.total(a, b),
        adjusted_consumption=n,
        average_consumption=p,
        maximum_stock=h,
        calculated_order=i,
        ideal_stock_order=q.ideal_stock_order(rules.ideal_stock_amount, e),
        packs_to_ship=packs,
        total_cost=q.total_cost(packs, rules.price_per_pack),
    )
