"""FEFO allocation: which lots an outbound shipment line takes its stock from.

The rule (issue 14), for one line of an item in dispensing units from the supplying store:

- **Order**: earliest expiry first, lots without expiry last. Lots with the same expiry go
  smaller available quantity first (small remainders are cleared instead of lingering),
  then by lot code, lot id and location, so the same stock always gives the same picks.
- **Skipped** (and reported with the reason, for the picker's screen): a lot *expired* on
  the day of allocation (a lot is usable through its expiry date, as in inventory's
  alerts, so it is expired from the day after); a lot with *short shelf life*, expiring
  before `arrives_on + min_shelf_life_days`; a lot *on hold*. A lot expiring exactly on
  that day has the minimum and is taken. When several reasons hold, the one that would
  still stand after a hold is lifted is given: expired, then short shelf life, then on hold.
- **Flagged, not skipped**: a taken lot expiring in the `warning_days` days from the
  minimum on (`expiry < arrives_on + min_shelf_life_days + warning_days`) is
  `expiring_soon`. Lots without expiry are never skipped for expiry nor flagged.
- **Whole packs**: a pack comes from one lot, so each lot gives a multiple of the pack
  size, as many packs as it holds and the line still needs. The wanted quantity is not
  rounded up: whatever is not covered by whole packs (a part pack in what is wanted, or
  packs no eligible lot can fill) is `unallocated`, so picks + unallocated == wanted.
- **Available** is what the caller says a lot can give now (on hand - reserved) at one
  location; a row with none is left out entirely: there is nothing to pick or explain.

Arrival is an explicit date (`Rules.arrives_on`); `Rules.with_lead_time` derives it from
the allocation day and a lead time in days. A shipment's lines share one set of rules
(one truck, one arrival). `allocate_shipment` sorts each named item's lots once and draws
the lines of one item down the same stock, so two lines never take the same units.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from uuid import UUID

from akiba_fulfillment.domain.errors import InvalidAllocation


class SkipReason(StrEnum):
    """Why a lot with stock was not allocated from."""

    EXPIRED = "expired"
    SHORT_SHELF_LIFE = "short_shelf_life"
    ON_HOLD = "on_hold"


@dataclass(frozen=True)
class LotStock:
    """What a store can give now from one lot at one location (or with no location)."""

    lot_id: UUID
    lot_code: str
    expiry_date: date | None
    available: int
    on_hold: bool = False
    location_id: UUID | None = None


@dataclass(frozen=True)
class Pick:
    """Units to take from one lot at one location; a whole number of packs."""

    lot_id: UUID
    location_id: UUID | None
    quantity: int
    expiring_soon: bool


@dataclass(frozen=True)
class Skip:
    """A lot with stock that was passed over, and why."""

    lot_id: UUID
    location_id: UUID | None
    reason: SkipReason


@dataclass(frozen=True)
class Allocation:
    """The picks of one line in FEFO order, what is left unallocated, and the lots skipped."""

    picks: tuple[Pick, ...]
    unallocated: int
    skipped: tuple[Skip, ...]

    @property
    def allocated(self) -> int:
        """Units picked in all."""
        return sum(p.quantity for p in self.picks)


@dataclass(frozen=True)
class Rules:
    """The day of allocation, the day the stock arrives, and the shelf life it must keep."""

    on: date
    arrives_on: date
    min_shelf_life_days: int = 0
    warning_days: int = 0

    def __post_init__(self) -> None:
        if self.arrives_on < self.on:
            raise InvalidAllocation(f"stock cannot arrive ({self.arrives_on}) before {self.on}")
        if self.min_shelf_life_days < 0 or self.warning_days < 0:
            raise InvalidAllocation("shelf life and warning days cannot be negative")

    @classmethod
    def with_lead_time(
        cls, on: date, lead_time_days: int, min_shelf_life_days: int = 0, warning_days: int = 0
    ) -> Rules:
        """Rules for stock arriving `lead_time_days` after the day of allocation."""
        if lead_time_days < 0:
            raise InvalidAllocation("a lead time cannot be negative")
        arrives_on = on + timedelta(days=lead_time_days)
        return cls(on, arrives_on, min_shelf_life_days, warning_days)

    @property
    def shortest_expiry(self) -> date:
        """The earliest expiry a lot may have and still be taken."""
        return self.arrives_on + timedelta(days=self.min_shelf_life_days)

    def skip_reason(self, lot: LotStock) -> SkipReason | None:
        """Why this lot may not be taken, or None."""
        if lot.expiry_date is not None and lot.expiry_date < self.on:
            return SkipReason.EXPIRED
        if lot.expiry_date is not None and lot.expiry_date < self.shortest_expiry:
            return SkipReason.SHORT_SHELF_LIFE
        return SkipReason.ON_HOLD if lot.on_hold else None

    def expiring_soon(self, lot: LotStock) -> bool:
        """Whether a lot that may be taken expires within the warning window."""
        warn_until = self.shortest_expiry + timedelta(days=self.warning_days)
        return lot.expiry_date is not None and lot.expiry_date < warn_until


@dataclass(frozen=True)
class LineToAllocate:
    """One shipment line: an item and how many dispensing units it wants, in packs of a size."""

    line_id: UUID
    item_id: UUID
    quantity: int
    pack_size: int


def fefo_key(lot: LotStock) -> tuple[bool, date, int, str, str, bool, str]:
    """The sort key of the FEFO order (no expiry last; ties: less available, then lot code)."""
    location = lot.location_id
    return (
        lot.expiry_date is None,
        lot.expiry_date or date.max,
        lot.available,
        lot.lot_code,
        str(lot.lot_id),
        location is not None,
        str(location or ""),
    )


@dataclass
class _Queue:
    """An item's lots that may be taken, in FEFO order, with what each has left."""

    lots: list[LotStock]
    skipped: tuple[Skip, ...]
    left: list[int] = field(init=False)

    def __post_init__(self) -> None:
        self.left = [lot.available for lot in self.lots]


def _queue(lots: Iterable[LotStock], rules: Rules) -> _Queue:
    stocked = sorted((lot for lot in lots if lot.available > 0), key=fefo_key)
    reasons = [(lot, rules.skip_reason(lot)) for lot in stocked]
    skipped = tuple(Skip(lot.lot_id, lot.location_id, r) for lot, r in reasons if r is not None)
    return _Queue([lot for lot, r in reasons if r is None], skipped)


def _take(queue: _Queue, quantity: int, pack_size: int, rules: Rules) -> Allocation:
    if quantity < 0 or pack_size <= 0:
        raise InvalidAllocation(f"cannot allocate {quantity} units in packs of {pack_size}")
    packs, picks = quantity // pack_size, []
    for i, lot in enumerate(queue.lots):
        if packs == 0:
            break
        taken = min(queue.left[i] // pack_size, packs)
        if taken:
            queue.left[i] -= taken * pack_size
            packs -= taken
            picks.append(
                Pick(lot.lot_id, lot.location_id, taken * pack_size, rules.expiring_soon(lot))
            )
    picked = sum(p.quantity for p in picks)
    return Allocation(tuple(picks), quantity - picked, queue.skipped)


def allocate(quantity: int, pack_size: int, lots: Iterable[LotStock], rules: Rules) -> Allocation:
    """Allocate `quantity` dispensing units in whole packs from an item's lots, FEFO."""
    return _take(_queue(lots, rules), quantity, pack_size, rules)


def allocate_shipment(
    lines: Sequence[LineToAllocate], stock: Mapping[UUID, Sequence[LotStock]], rules: Rules
) -> dict[UUID, Allocation]:
    """Allocate every line of a shipment from the store's lots per item, by line id."""
    queues: dict[UUID, _Queue] = {}
    allocations: dict[UUID, Allocation] = {}
    for line in lines:
        if line.line_id in allocations:
            raise InvalidAllocation(f"line {line.line_id} is in the shipment twice")
        if line.item_id not in queues:
            queues[line.item_id] = _queue(stock.get(line.item_id, ()), rules)
        allocations[line.line_id] = _take(
            queues[line.item_id], line.quantity, line.pack_size, rules
        )
    return allocations
