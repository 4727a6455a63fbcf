"""A new requisition's lines from what a store's ledger says: the same rules centrally and at
a site, so a requisition drafted offline holds the figures central would have computed."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Protocol, TypeVar
from uuid import UUID

from akiba_replenish import quantities as q
from akiba_replenish.documents import Figures, LineInfo, Pack
from akiba_replenish.lines import LedgerFigures, LineQuantities, LineRules, quantify
from akiba_replenish.periods import Period
from akiba_replenish.workflow import Line

ISA = "calculated_order_quantity_isa"
ADDITIONAL = "additional_quantity_required"
DEFAULT_PERIODS_TO_AVERAGE = 3
MOS_PLACES = Decimal("0.0001")

Lines = dict[UUID, tuple[Line, LineInfo]]


@dataclass(frozen=True)
class Product:
    """An item a facility type orders under a program, with its program and pack settings."""

    orderable_id: UUID
    full_supply: bool
    pack: Pack
    max_periods_of_stock: Decimal
    min_periods_of_stock: Decimal | None


class Template(Protocol):
    """What choosing a template reads of one."""

    @property
    def active(self) -> bool:
        """Whether it is in use."""
        ...

    @property
    def facility_type_ids(self) -> Collection[UUID]:
        """The facility types it is for (none: the program's default)."""
        ...


T = TypeVar("T", bound=Template)


def choose_template(templates: Sequence[T], facility_type_id: UUID) -> T | None:
    """The active template for the store's type, else the program's default one."""
    active = [t for t in templates if t.active]
    chosen = next((t for t in active if facility_type_id in t.facility_type_ids), None)
    return chosen or next((t for t in active if not t.facility_type_ids), None)


def averaging_run(
    periods: Sequence[Period], period: Period, periods_to_average: int | None
) -> list[Period]:
    """The period and the earlier ones its average consumption is taken over (oldest first)."""
    earlier = sorted((p for p in periods if p.end < period.start), key=lambda p: p.start)
    averaged = (periods_to_average or DEFAULT_PERIODS_TO_AVERAGE) - 1
    return [*earlier[-averaged:], period] if averaged > 0 else [period]


def emergency_lines(products: Sequence[Product]) -> Lines:
    """Lines chosen by hand: nothing is calculated."""
    return {
        p.orderable_id: (Line(p.orderable_id, 0), LineInfo(i, p.full_supply, Figures(), p.pack))
        for i, p in enumerate(products)
    }


def program_lines(
    products: Sequence[Product],
    figures: Mapping[UUID, Sequence[LedgerFigures]],
    run: Sequence[Period],
    columns: Collection[str],
    isa: Mapping[UUID, int],
) -> Lines:
    """Each product's line from its figures over `run` (the last one is the requisition's
    period); ISA is used only when the template has its column."""
    period = run[-1]
    out: Lines = {}
    for i, p in enumerate(products):
        *before, now = figures[p.orderable_id]
        previous = [_adjusted(f, r) for f, r in zip(before, run, strict=False) if _in_stock(f, r)]
        rules = LineRules(
            period.months, p.max_periods_of_stock, p.pack.size, p.pack.threshold,
            p.pack.round_to_zero, p.pack.price, ADDITIONAL in columns,
            isa.get(p.orderable_id) if ISA in columns else None,
        )  # fmt: skip
        line = quantify(now, rules, previous)
        out[p.orderable_id] = (
            Line(p.orderable_id, line.calculated_order),
            LineInfo(i, p.full_supply, _figures(now, line), p.pack),
        )
    return out


def internal_lines(
    products: Sequence[Product],
    on_hand: Mapping[UUID, int],
    consumed: Mapping[UUID, int],
    *,
    amc_months: int,
    min_months: Decimal,
    max_months: Decimal,
    every_product: bool,
) -> Lines:
    """An internal order's lines, each suggested from SOH and AMC (the Open mSupply rule);
    without `every_product`, only the products due an order."""
    out: Lines = {}
    for p in products:
        soh = on_hand.get(p.orderable_id, 0)
        amc = Fraction(consumed.get(p.orderable_id, 0), amc_months)
        suggested = q.suggested_internal_order(soh, amc, Fraction(min_months), Fraction(max_months))
        if every_product or suggested > 0:
            mos = q.months_of_stock(soh, amc)
            figures = Figures(stock_on_hand=soh, average_monthly_consumption=decimal(amc),
                              months_of_stock=None if mos is None else decimal(mos))  # fmt: skip
            info = LineInfo(len(out), p.full_supply, figures, p.pack)
            out[p.orderable_id] = (Line(p.orderable_id, suggested), info)
    return out


def decimal(value: Fraction) -> Decimal:
    """A ratio shown to four places."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(MOS_PLACES)


def _in_stock(f: LedgerFigures, p: Period) -> bool:
    """A period the item never had stock in says nothing about its consumption."""
    return f.stockout_days < (p.end - p.start).days + 1


def _adjusted(f: LedgerFigures, p: Period) -> int:
    c = q.consumed(f.beginning_balance, f.received, f.losses_and_adjustments, f.stock_on_hand)
    return q.adjusted_consumption(c, f.stockout_days, p.months)


def _figures(f: LedgerFigures, line: LineQuantities) -> Figures:
    return Figures(
        beginning_balance=f.beginning_balance,
        received=f.received,
        consumed=line.consumed,
        losses_and_adjustments=f.losses_and_adjustments,
        stock_on_hand=f.stock_on_hand,
        stockout_days=f.stockout_days,
        total=line.total,
        adjusted_consumption=line.adjusted_consumption,
        average_consumption=line.average_consumption,
        maximum_stock=line.maximum_stock,
        ideal_stock_order=line.ideal_stock_order,
    )
