"""The stock ledger's rules: signs, balances, running balances, back-dating, location moves.

Quantities are signed integers in dispensing units. Non-negativity is enforced per stock
line (store, item, batch, location): a shelf cannot hold less than nothing, and a batch
total is the sum of its lines, so a non-negative line implies a non-negative batch.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import IntEnum, StrEnum
from uuid import UUID, uuid4

from akiba_stock.errors import InvalidMovement
from akiba_stock.ids import new_id


class Direction(IntEnum):
    """Which way a kind of movement moves stock."""

    ADDS = 1
    REMOVES = -1
    EITHER = 0


class LedgerKind(StrEnum):
    """Kinds of ledger entry; the values match the published `MovementType`."""

    RECEIPT = "receipt"
    ISSUE = "issue"
    ADJUSTMENT_POSITIVE = "adjustment_positive"
    ADJUSTMENT_NEGATIVE = "adjustment_negative"
    TRANSFER_IN = "transfer_in"
    TRANSFER_OUT = "transfer_out"
    STOCKTAKE_BALANCE = "stocktake_balance"
    LOCATION_MOVE_IN = "location_move_in"
    LOCATION_MOVE_OUT = "location_move_out"
    SHIPMENT_IN = "shipment_in"
    SHIPMENT_OUT = "shipment_out"

    @property
    def direction(self) -> Direction:
        """The sign rule of this kind."""
        return _DIRECTIONS[self]


_DIRECTIONS = {
    LedgerKind.RECEIPT: Direction.ADDS,
    LedgerKind.ADJUSTMENT_POSITIVE: Direction.ADDS,
    LedgerKind.TRANSFER_IN: Direction.ADDS,
    LedgerKind.SHIPMENT_IN: Direction.ADDS,
    LedgerKind.LOCATION_MOVE_IN: Direction.ADDS,
    LedgerKind.ISSUE: Direction.REMOVES,
    LedgerKind.ADJUSTMENT_NEGATIVE: Direction.REMOVES,
    LedgerKind.TRANSFER_OUT: Direction.REMOVES,
    LedgerKind.SHIPMENT_OUT: Direction.REMOVES,
    LedgerKind.LOCATION_MOVE_OUT: Direction.REMOVES,
    # A stocktake balance posts the variance, which can go either way.
    LedgerKind.STOCKTAKE_BALANCE: Direction.EITHER,
}

# Kinds that need a reason: an adjustment says why the stock changed.
REASONED_KINDS = frozenset({LedgerKind.ADJUSTMENT_POSITIVE, LedgerKind.ADJUSTMENT_NEGATIVE})


def signed(kind: LedgerKind, units: int) -> int:
    """The signed ledger quantity of `units` (positive; a stocktake balance passes its sign)."""
    if kind.direction is Direction.EITHER:
        return units
    if units <= 0:
        raise InvalidMovement(f"a {kind} moves a positive number of units, not {units}")
    return units * kind.direction


def check_sign(kind: LedgerKind, quantity: int) -> None:
    """Refuse a zero quantity, or a sign that contradicts the kind."""
    if quantity == 0:
        raise InvalidMovement(f"a {kind} of zero units records nothing")
    if quantity * kind.direction < 0:  # EITHER is 0, so never the wrong way
        raise InvalidMovement(f"a {kind} cannot have quantity {quantity}")


@dataclass(frozen=True)
class StockLine:
    """Where a quantity sits: one batch of one item at one location of one store."""

    store_id: UUID
    item_id: UUID
    batch_id: UUID | None
    location_id: UUID | None

    def __hash__(self) -> int:
        # A posting looks each line up several times (levels, totals, the newest movement):
        # hashing four UUIDs in Python each time was a twentieth of edge ingest's CPU.
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            cached = hash((self.store_id, self.item_id, self.batch_id, self.location_id))
            object.__setattr__(self, "_hash", cached)
        return cached

    @property
    def batch_key(self) -> tuple[UUID, UUID, UUID | None]:
        """The (store, item, batch) this line is a part of, whatever the location."""
        return (self.store_id, self.item_id, self.batch_id)


@dataclass(frozen=True)
class LedgerEntry:
    """One movement as the ledger sees it; `quantity` is signed."""

    line: StockLine
    kind: LedgerKind
    quantity: int
    occurred_at: datetime
    store_sequence: int
    reason_id: UUID | None = None
    reference: str | None = None
    entry_id: UUID = field(default_factory=new_id)

    def __post_init__(self) -> None:
        check_sign(self.kind, self.quantity)
        if self.store_sequence < 1:
            raise InvalidMovement(f"store sequences start at 1, not {self.store_sequence}")
        if self.kind in REASONED_KINDS and self.reason_id is None:
            raise InvalidMovement(f"a {self.kind} needs a reason")

    @property
    def card_order(self) -> tuple[datetime, int]:
        """Stock-card order: when it happened, then the store's recording order."""
        return (self.occurred_at, self.store_sequence)


class InsufficientStock(InvalidMovement):
    """A central movement would take a stock line below zero."""

    def __init__(self, line: StockLine, available: int, requested: int) -> None:
        self.line, self.available, self.requested = line, available, requested
        super().__init__(
            f"not enough stock of item {line.item_id} batch {line.batch_id} at location "
            f"{line.location_id}: available {available}, requested {requested}"
        )


@dataclass(frozen=True)
class Applied:
    """A balance after one movement, and whether the movement took it below zero."""

    balance: int
    went_negative: bool


def apply(balance: int, entry: LedgerEntry, *, enforce_non_negative: bool) -> Applied:
    """Apply a movement to its line's balance; central (enforced) movements may not go below 0."""
    after = balance + entry.quantity
    if after < 0 and entry.quantity < 0 and enforce_non_negative:
        raise InsufficientStock(entry.line, max(balance, 0), -entry.quantity)
    # Only a removal that lands below zero is flagged: a receipt into a line the edge
    # already took negative improves it and is not a new problem.
    return Applied(after, went_negative=after < 0 and entry.quantity < 0)


class Balances:
    """Stock on hand per line as a projection of the ledger; refused movements change nothing."""

    def __init__(self, opening: dict[StockLine, int] | None = None) -> None:
        self._by_line: dict[StockLine, int] = dict(opening or {})

    def of(self, line: StockLine) -> int:
        """The balance of one line (0 if it never moved)."""
        return self._by_line.get(line, 0)

    def post(self, entry: LedgerEntry, *, enforce_non_negative: bool) -> Applied:
        """Apply one movement, or raise and leave every balance as it was."""
        applied = apply(self.of(entry.line), entry, enforce_non_negative=enforce_non_negative)
        self._by_line[entry.line] = applied.balance
        return applied

    def lines(self) -> dict[StockLine, int]:
        """A copy of every line's balance."""
        return dict(self._by_line)

    def batch_total(self, store_id: UUID, item_id: UUID, batch_id: UUID | None) -> int:
        """The batch's balance in the store, summed over its locations."""
        key = (store_id, item_id, batch_id)
        return sum(q for line, q in self._by_line.items() if line.batch_key == key)


@dataclass(frozen=True)
class StockOnHand:
    """A line's stock on hand; a batch on hold is counted but not available."""

    line: StockLine
    total: int
    reserved: int = 0
    on_hold: bool = False

    @property
    def available(self) -> int:
        """What can still be issued or allocated: total - reserved, nothing if on hold."""
        if self.on_hold:
            return 0
        # A line the edge took negative, or over-reserved, has nothing to give, not a debt.
        return max(self.total - self.reserved, 0)

    def require_available(self, requested: int) -> None:
        """Refuse to take more than is available."""
        if requested > self.available:
            raise InsufficientStock(self.line, self.available, requested)


def require_available(
    taken: Mapping[StockLine, int], before: Mapping[StockLine, StockOnHand]
) -> None:
    """Refuse a posting that takes more from any line than it had available before it."""
    for line, units in taken.items():
        before[line].require_available(units)


@dataclass(frozen=True)
class CardRow:
    """One row of a stock card: a movement and the balance just after it."""

    entry: LedgerEntry
    balance: int


def running_balances(entries: Iterable[LedgerEntry], opening: int = 0) -> list[CardRow]:
    """Running balances of a stock card, in card order whatever order the entries came in."""
    rows: list[CardRow] = []
    balance = opening
    for entry in sorted(entries, key=lambda e: e.card_order):
        balance += entry.quantity
        rows.append(CardRow(entry, balance))
    return rows


@dataclass(frozen=True)
class Recomputed:
    """Card rows from `index` on, rebalanced; went_negative: the inserted removal left one < 0."""

    index: int
    rows: list[CardRow]
    went_negative: bool


def insert_backdated(
    history: Sequence[CardRow], entry: LedgerEntry, *, enforce_non_negative: bool
) -> Recomputed:
    """Insert a movement into a stock line's card in order and recompute the balances after it.

    `history` is one stock line's card in card order. A central (enforced) movement is
    refused if the line would go below zero at that date or at any later row; the
    history is not touched either way.
    """
    _check_same_line(history, entry)
    index = bisect_right(history, entry.card_order, key=lambda r: r.entry.card_order)
    balance = history[index - 1].balance if index else 0
    rows = running_balances([entry], balance)
    for row in history[index:]:
        rows.append(CardRow(row.entry, rows[-1].balance + row.entry.quantity))
    lowest = min(rows, key=lambda r: r.balance)
    went_negative = lowest.balance < 0 and entry.quantity < 0
    if went_negative and enforce_non_negative:
        raise InsufficientStock(entry.line, _headroom(rows, entry.quantity), -entry.quantity)
    return Recomputed(index, rows, went_negative)


def _check_same_line(history: Sequence[CardRow], entry: LedgerEntry) -> None:
    if history and history[0].entry.line != entry.line:
        raise ValueError("back-dating recomputes one stock line's card at a time")


def _headroom(rows: Sequence[CardRow], quantity: int) -> int:
    """How much could have been removed at that date without any later balance going below 0."""
    return max(min(r.balance for r in rows) - quantity, 0)


def move_location(
    line: StockLine,
    to_location: UUID | None,
    units: int,
    occurred_at: datetime,
    first_sequence: int,
) -> tuple[LedgerEntry, LedgerEntry]:
    """A location move: out of `line` then into the same batch at `to_location`; nets to zero."""
    if to_location == line.location_id:
        raise InvalidMovement("a location move needs two different locations")
    reference = str(uuid4())  # ties the two halves together on the stock card
    to_line = StockLine(line.store_id, line.item_id, line.batch_id, to_location)
    out_kind, in_kind = LedgerKind.LOCATION_MOVE_OUT, LedgerKind.LOCATION_MOVE_IN
    out = LedgerEntry(
        line, out_kind, signed(out_kind, units), occurred_at, first_sequence, reference=reference
    )
    into = LedgerEntry(
        to_line,
        in_kind,
        signed(in_kind, units),
        occurred_at,
        first_sequence + 1,
        reference=reference,
    )
    return out, into
