"""A program's requisition template: its columns, where each takes its value, validated whole.

The columns and the rules between them are OpenLMIS's (its column letters in brackets); the
check returns every problem at once, so an administrator fixes a template in one pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from akiba_replenish.errors import RequisitionError


class Source(StrEnum):
    """Where a column takes its value."""

    USER_INPUT = "USER_INPUT"
    CALCULATED = "CALCULATED"
    REFERENCE_DATA = "REFERENCE_DATA"
    STOCK_CARDS = "STOCK_CARDS"


U, C, R, K = Source.USER_INPUT, Source.CALCULATED, Source.REFERENCE_DATA, Source.STOCK_CARDS


@dataclass(frozen=True)
class Definition:
    """A column a template may hold: its letter, the sources it allows, what it is made of."""

    letter: str
    sources: frozenset[Source]
    inputs: tuple[str, ...] = ()  # the columns it is calculated from


def _d(letter: str, *sources: Source, inputs: tuple[str, ...] = ()) -> Definition:
    return Definition(letter, frozenset(sources), inputs)


COLUMNS: Mapping[str, Definition] = {
    "beginning_balance": _d("A", U, K),
    "total_received_quantity": _d("B", U, K),
    "total_consumed_quantity": _d(
        "C", U, C, K, inputs=("beginning_balance", "total_received_quantity", "stock_on_hand")
    ),
    "total_losses_and_adjustments": _d("D", U, K),
    "stock_on_hand": _d(
        "E",
        U,
        C,
        K,
        inputs=("beginning_balance", "total_received_quantity", "total_consumed_quantity"),
    ),
    "number_of_new_patients_added": _d("F", U),
    "maximum_stock_quantity": _d("H", C, inputs=("average_consumption",)),
    "calculated_order_quantity": _d("I", C, inputs=("maximum_stock_quantity", "stock_on_hand")),
    "requested_quantity": _d("J", U),
    "approved_quantity": _d("K", U),
    "remarks": _d("L", U),
    "adjusted_consumption": _d("N", C, inputs=("total_consumed_quantity", "total_stockout_days")),
    "orderable_code": _d("O", R),
    "average_consumption": _d("P", C, K, inputs=("adjusted_consumption",)),
    "total_cost": _d("Q", C, inputs=("packs_to_ship", "price_per_pack")),
    "orderable_name": _d("R", R),
    "skipped": _d("S", U),
    "price_per_pack": _d("T", R),
    "dispensing_unit": _d("U", R),
    "packs_to_ship": _d("V", C),
    "requested_quantity_explanation": _d("W", U),
    "total_stockout_days": _d("X", U, K),
    "total": _d("Y", C, inputs=("beginning_balance", "total_received_quantity")),
    "additional_quantity_required": _d("Z", U),
    "calculated_order_quantity_isa": _d("ISA", C, inputs=("stock_on_hand",)),
}
# Stock-based templates read these from the stock ledger, never from a person.
STOCK_BASED = (
    "beginning_balance", "total_received_quantity", "total_consumed_quantity",
    "total_losses_and_adjustments", "stock_on_hand", "total_stockout_days",
    "average_consumption",
)  # fmt: skip


@dataclass(frozen=True)
class Column:
    """A column as a template holds it."""

    source: Source
    displayed: bool = True


@dataclass(frozen=True)
class Template:
    """The columns of a program's requisitions (at facilities of some types, or all)."""

    columns: Mapping[str, Column]
    periods_to_average: int | None = None
    stock_based: bool = False
    report_only: bool = False


class InvalidTemplate(RequisitionError):
    """A template that cannot work; `problems` lists every reason."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


def check(template: Template) -> None:
    """Refuse a template with any problem, naming them all."""
    found = problems(template)
    if found:
        raise InvalidTemplate(found)


def problems(t: Template) -> list[str]:
    """Every reason the template cannot work (none: it can)."""
    found = _sources(t) + _inputs(t) + _quantities(t) + _consumption(t)
    if t.periods_to_average is not None and t.periods_to_average < 2:
        found.append("the number of periods to average must be at least 2")
    if t.stock_based:
        found += [
            f"{name} comes from the stock ledger in a stock-based template"
            for name in STOCK_BASED
            if name in t.columns and t.columns[name].source is not Source.STOCK_CARDS
        ]
    return found


def _sources(t: Template) -> list[str]:
    found = []
    for name, column in t.columns.items():
        definition = COLUMNS.get(name)
        if definition is None:
            found.append(f"{name} is not a requisition column")
        elif column.source not in definition.sources:
            found.append(f"{name} cannot take its value from {column.source}")
        elif (
            column.source is Source.USER_INPUT
            and len(definition.sources) > 1
            and not column.displayed
            and not t.report_only
        ):
            found.append(f"{name} is entered by hand, so it must be displayed")
    return found


def _inputs(t: Template) -> list[str]:
    found = []
    for name, column in t.columns.items():
        definition = COLUMNS.get(name)
        if definition is None or column.source is not Source.CALCULATED:
            continue
        found += [
            f"{name} is calculated from {needed}, which the template lacks"
            for needed in definition.inputs
            if needed not in t.columns
        ]
        found += [
            f"{needed} is entered by hand to calculate {name}, so it must be displayed"
            for needed in definition.inputs
            if needed in t.columns
            and t.columns[needed].source is Source.USER_INPUT
            and not t.columns[needed].displayed
        ]
    if _calculated(t, "total_consumed_quantity") and _calculated(t, "stock_on_hand"):
        found.append("consumed quantity and stock on hand cannot both be calculated")
    return found


def _quantities(t: Template) -> list[str]:
    requested = _displayed(t, "requested_quantity")
    explained = _displayed(t, "requested_quantity_explanation")
    found = []
    if requested and not explained:
        found.append("a displayed requested quantity needs its explanation displayed")
    if explained and not requested:
        found.append("an explanation is displayed without the requested quantity")
    if not requested and not _displayed(t, "calculated_order_quantity") and not t.report_only:
        found.append("a requisition needs the requested or the calculated order quantity")
    return found


def _consumption(t: Template) -> list[str]:
    found = []
    for name in ("adjusted_consumption", "average_consumption"):
        if name in t.columns:
            found += [
                f"{name} needs {needed} in the template"
                for needed in ("total_consumed_quantity", "total_stockout_days")
                if needed not in t.columns
            ]
    if "average_consumption" in t.columns and t.periods_to_average is None:
        found.append("average consumption needs the number of periods to average")
    if _displayed(t, "additional_quantity_required") and "adjusted_consumption" not in t.columns:
        found.append("additional quantity required needs adjusted consumption in the template")
    return found


def _displayed(t: Template, name: str) -> bool:
    return name in t.columns and t.columns[name].displayed


def _calculated(t: Template, name: str) -> bool:
    return name in t.columns and t.columns[name].source is Source.CALCULATED
