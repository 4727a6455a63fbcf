"""Requisition's reference data: programs, their products, schedules, periods, templates, ISA.

Pure records that check their own fields, and the rules between records: the periods of a
schedule never overlap, and a program has one active template per facility type.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from decimal import Context, Decimal, InvalidOperation
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from akiba_replenish import StaleVersion
from akiba_replenish import templates as rules
from akiba_requisition.domain.errors import DuplicateReference, InvalidReferenceData


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise InvalidReferenceData(message)


def _text(value: object, what: str) -> None:
    _require(
        isinstance(value, str) and value != "" and value == value.strip(),
        f"{what} must be non-empty text without surrounding spaces",
    )


def _not_negative(value: Decimal | int | None, what: str) -> None:
    finite = value is None or isinstance(value, int) or value.is_finite()
    _require(finite and (value is None or value >= 0), f"{what} must be a number, 0 or more")


def _scaled(record: object, name: str, places: int, digits: int) -> None:
    """A decimal 0 or more, at its column's scale, so it reads back as it was written."""
    value: Decimal | None = getattr(record, name)
    _not_negative(value, name)
    if value is None:
        return
    try:
        scaled = value.quantize(Decimal(1).scaleb(-places), context=Context(prec=digits))
    except InvalidOperation:
        scaled = None
    _require(
        scaled == value,
        f"{name} has at most {digits - places} digits before the point and {places} after",
    )
    object.__setattr__(record, name, scaled)


@dataclass(frozen=True)
class Program:
    """A health program (EPI, family planning…) and how its requisitions move."""

    what: ClassVar[str] = "program"

    program_id: UUID
    code: str
    name: str
    description: str | None = None
    periods_skippable: bool = False
    skip_authorization: bool = False
    report_only: bool = False
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.code, "code")
        _text(self.name, "name")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.program_id,)


@dataclass(frozen=True)
class ProgramOrderable:
    """An item ordered under a program: its price and category there (pack size is the item's)."""

    what: ClassVar[str] = "program orderable"

    program_id: UUID
    orderable_id: UUID
    full_supply: bool = True
    price_per_pack: Decimal | None = None
    category: str = "Other"
    display_order: int = 0
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        _scaled(self, "price_per_pack", 4, 18)
        _text(self.category, "category")
        _require(self.display_order >= 0, "display_order must be 0 or more")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.program_id, self.orderable_id)


@dataclass(frozen=True)
class ApprovedProduct:
    """An item a type of facility orders under a program, and the stock it keeps in periods."""

    what: ClassVar[str] = "approved product"

    facility_type_id: UUID
    program_id: UUID
    orderable_id: UUID
    max_periods_of_stock: Decimal
    min_periods_of_stock: Decimal | None = None
    emergency_order_point: Decimal | None = None
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        for name in ("max_periods_of_stock", "min_periods_of_stock", "emergency_order_point"):
            _scaled(self, name, 2, 8)
        low, high = self.min_periods_of_stock, self.max_periods_of_stock
        _require(low is None or low <= high, "min_periods_of_stock cannot exceed the maximum")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.facility_type_id, self.program_id, self.orderable_id)


@dataclass(frozen=True)
class Schedule:
    """A processing schedule: a series of periods (monthly, quarterly…)."""

    what: ClassVar[str] = "schedule"

    schedule_id: UUID
    code: str
    name: str
    description: str | None = None
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.code, "code")
        _text(self.name, "name")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.schedule_id,)


def _plus_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def months_between(start: date, end: date) -> int:
    """A period's length in months, counted as OpenLMIS does: whole calendar months from the
    start to the (inclusive) end day, plus one for a remainder of 15 days or more, at least 1.

    The remainder rule is what makes 1 January to 31 March three months, not two.
    """
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and end.day < start.day:
        months -= 1
    days = (end - _plus_months(start, months)).days
    return months + 1 if days >= 15 or months == 0 else months


@dataclass(frozen=True)
class Period:
    """A processing period of a schedule, from its first to its last day."""

    what: ClassVar[str] = "period"

    period_id: UUID
    schedule_id: UUID
    name: str
    start_date: date
    end_date: date
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.name, "name")
        _require(self.end_date >= self.start_date, "a period cannot end before it starts")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.period_id,)

    @property
    def months(self) -> int:
        """Its length in months (at least 1): the unit of max and min periods of stock."""
        return months_between(self.start_date, self.end_date)

    def overlaps(self, other: Period) -> bool:
        """Whether the two share a day."""
        return self.start_date <= other.end_date and other.start_date <= self.end_date


def check_period_fits(period: Period, others: Iterable[Period]) -> None:
    """Refuse a period that shares a day with another period of its schedule (naming them)."""
    clash = [
        f"{o.name} ({o.start_date} to {o.end_date})"
        for o in others
        if o.period_id != period.period_id
        and o.schedule_id == period.schedule_id
        and period.overlaps(o)
    ]
    dates = f"{period.start_date} to {period.end_date}"
    _require(not clash, f"{dates} overlaps the schedule's period {', '.join(clash)}")


@dataclass(frozen=True)
class GroupSchedule:
    """The schedule a requisition group (auth's) follows for a program."""

    what: ClassVar[str] = "group schedule"

    group_id: UUID
    program_id: UUID
    schedule_id: UUID
    version: int = 1

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.group_id, self.program_id)


@dataclass(frozen=True)
class RequisitionTemplate:
    """A program's requisition columns, at some facility types (none: the program's default)."""

    what: ClassVar[str] = "template"

    template_id: UUID
    program_id: UUID
    name: str
    columns: Mapping[str, rules.Column]
    facility_type_ids: tuple[UUID, ...] = ()
    periods_to_average: int | None = None
    stock_based: bool = False
    active: bool = True
    version: int = 1

    def __post_init__(self) -> None:
        _text(self.name, "name")
        object.__setattr__(self, "columns", dict(self.columns))
        object.__setattr__(self, "facility_type_ids", tuple(dict.fromkeys(self.facility_type_ids)))

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.template_id,)

    def check(self, program: Program) -> None:
        """Refuse columns that cannot work together (InvalidTemplate names every problem)."""
        rules.check(
            rules.Template(
                self.columns, self.periods_to_average, self.stock_based, program.report_only
            )
        )

    def clash(self, other: RequisitionTemplate) -> str | None:
        """Why both cannot be active for the program at once (None: they can)."""
        if (
            other.template_id == self.template_id
            or other.program_id != self.program_id
            or not (self.active and other.active)
        ):
            return None
        if not self.facility_type_ids and not other.facility_type_ids:
            return f"the program's default template is {other.name} ({other.template_id})"
        shared = [str(t) for t in self.facility_type_ids if t in other.facility_type_ids]
        if shared:
            return f"template {other.name} ({other.template_id}) covers {', '.join(shared)}"
        return None


def check_template_fits(
    template: RequisitionTemplate, others: Iterable[RequisitionTemplate]
) -> None:
    """Refuse a template whose facility types another active template of the program covers."""
    for other in others:
        reason = template.clash(other)
        if reason is not None:
            raise DuplicateReference(reason)


@dataclass(frozen=True)
class IdealStockAmount:
    """The ideal stock of an item at a facility for a period (from catchment population)."""

    what: ClassVar[str] = "ideal stock amount"

    facility_id: UUID
    orderable_id: UUID
    period_id: UUID
    amount: int
    version: int = 1

    def __post_init__(self) -> None:
        _not_negative(self.amount, "amount")

    @property
    def key(self) -> tuple[UUID, ...]:
        """What names it."""
        return (self.facility_id, self.orderable_id, self.period_id)


def check_amounts_unique(amounts: Iterable[IdealStockAmount]) -> None:
    """Refuse a load that sets the same facility, item and period twice (naming them)."""
    seen: set[tuple[UUID, ...]] = set()
    twice = []
    for a in amounts:
        if a.key in seen:
            twice.append(":".join(map(str, a.key)))
        seen.add(a.key)
    _require(not twice, f"each facility, item and period at most once: {', '.join(twice[:20])}")


Reference = (
    Program
    | ProgramOrderable
    | ApprovedProduct
    | Schedule
    | Period
    | GroupSchedule
    | RequisitionTemplate
    | IdealStockAmount
)
R = TypeVar(
    "R",
    Program,
    ProgramOrderable,
    ApprovedProduct,
    Schedule,
    Period,
    GroupSchedule,
    RequisitionTemplate,
    IdealStockAmount,
)


def check_version(record: Reference, seen: int) -> None:
    """Refuse a change made against another version than the stored one (If-Match)."""
    if seen != record.version:
        raise StaleVersion(f"the {record.what} is at version {record.version}, not {seen}")


def revised(record: R, **changes: Any) -> R:
    """The record with changes applied (and checked) and its version advanced."""
    return replace(record, **changes, version=record.version + 1)
