"""Stocktakes: a snapshot, counts, and on finalising the variances posted as adjustments.

The rule for movements during a count: the snapshot is the ledger as of
`snapshot_sequence`; every movement the store records after it (higher store sequence,
whatever its occurred-at) is added to the snapshot, so

    expected = snapshot + net movements on the line after the snapshot
    variance = counted - expected

A receipt put away while the count was under way is therefore expected, not mistaken for
a surplus, and posting the variance brings the line's balance to exactly the counted
quantity. The count is taken to describe the shelf at finalising.

States: draft (created) -> counting (first count entered) -> finalised (no more edits).
Lines with no count when finalising are left as they are and reported as uncounted.
Every step is a dict look-up per line: O(lines + movements).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol
from uuid import UUID

from akiba_stock.errors import InventoryError
from akiba_stock.ledger import LedgerEntry, LedgerKind, StockLine

_LISTED_PROBLEMS = 10  # enough to act on without a 5,000-line error message


class StocktakeError(InventoryError):
    """The stocktake cannot do that in its current state, or its counts are incomplete."""


class StocktakeNotFound(InventoryError):
    """No such stocktake in that store."""


class StocktakeFinalised(InventoryError):
    """The stocktake is finalised: it cannot be counted or finalised again."""


class StocktakeStatus(StrEnum):
    """Where a stocktake is in its life."""

    DRAFT = "draft"
    COUNTING = "counting"
    FINALISED = "finalised"


def check_open(store_id: UUID, stocktake_id: UUID, status: StocktakeStatus | None) -> None:
    """A stocktake that may still change: 404 if the store has none such, 409 once finalised."""
    if status is None:
        raise StocktakeNotFound(f"stocktake {stocktake_id} does not exist in store {store_id}")
    if status is StocktakeStatus.FINALISED:
        raise StocktakeFinalised(f"stocktake {stocktake_id} is finalised and cannot change")


class Reason(Protocol):
    """An adjustment reason as a stocktake needs it; `reference.AdjustmentReason` is one."""

    @property
    def reason_id(self) -> UUID: ...

    @property
    def name(self) -> str: ...

    @property
    def direction(self) -> str: ...  # "credit" (stock found) or "debit" (stock missing)


@dataclass
class StocktakeLine:
    """One line of the count: what the ledger said, what was counted, and why they differ."""

    line: StockLine
    snapshot: int
    counted: int | None = None
    reason: Reason | None = None


@dataclass(frozen=True)
class Variance:
    """Counted against expected on one line."""

    line: StockLine
    expected: int
    counted: int
    reason: Reason | None

    @property
    def quantity(self) -> int:
        """Counted - expected: positive is stock found, negative stock missing."""
        return self.counted - self.expected


@dataclass(frozen=True)
class FinalisedStocktake:
    """What finalising produced: the adjustments to post and every line's variance."""

    adjustments: list[LedgerEntry]
    variances: list[Variance]
    uncounted: list[StockLine]


class Stocktake:
    """A physical count of some of a store's stock lines."""

    def __init__(
        self,
        stocktake_id: UUID,
        store_id: UUID,
        snapshot: Mapping[StockLine, int],
        snapshot_sequence: int,
    ) -> None:
        self.stocktake_id, self.store_id = stocktake_id, store_id
        self.snapshot_sequence = snapshot_sequence
        self.status = StocktakeStatus.DRAFT
        self.lines: dict[StockLine, StocktakeLine] = {}
        for line, quantity in snapshot.items():
            self._check_store(line)
            self.lines[line] = StocktakeLine(line, quantity)

    def count(self, line: StockLine, counted: int, reason: Reason | None = None) -> None:
        """Enter (or correct) a line's count; a batch not in the snapshot joins with snapshot 0."""
        self._check_open()
        self._check_store(line)
        if counted < 0:
            raise StocktakeError(f"a count cannot be negative: {counted} on {line}")
        entry = self.lines.setdefault(line, StocktakeLine(line, 0))
        entry.counted, entry.reason = counted, reason
        self.status = StocktakeStatus.COUNTING

    def finalise(
        self, movements_since: Iterable[LedgerEntry], occurred_at: datetime, first_sequence: int
    ) -> FinalisedStocktake:
        """Close the count and return the stocktake-balance movements that make SOH = counted."""
        self._check_open()
        if self.status is StocktakeStatus.DRAFT:
            raise StocktakeError(f"stocktake {self.stocktake_id} has no counts to finalise")
        variances = self.variances(movements_since)
        _check_reasons(variances)
        self.status = StocktakeStatus.FINALISED
        return FinalisedStocktake(
            adjustments=self._adjustments(variances, occurred_at, first_sequence),
            variances=variances,
            uncounted=[s.line for s in self.lines.values() if s.counted is None],
        )

    def variances(self, movements_since: Iterable[LedgerEntry]) -> list[Variance]:
        """Every counted line's variance, given the store's movements since the snapshot."""
        net = self._net_since(movements_since)
        return [
            Variance(s.line, s.snapshot + net.get(s.line, 0), s.counted, s.reason)
            for s in self.lines.values()
            if s.counted is not None
        ]

    def _net_since(self, movements: Iterable[LedgerEntry]) -> dict[StockLine, int]:
        net: dict[StockLine, int] = {}
        for m in movements:
            # Rows at or before the snapshot sequence are already in the snapshot.
            if m.store_sequence > self.snapshot_sequence and m.line in self.lines:
                net[m.line] = net.get(m.line, 0) + m.quantity
        return net

    def _adjustments(
        self, variances: list[Variance], occurred_at: datetime, first_sequence: int
    ) -> list[LedgerEntry]:
        moved = [v for v in variances if v.quantity != 0]
        return [
            LedgerEntry(
                line=v.line,
                kind=LedgerKind.STOCKTAKE_BALANCE,
                quantity=v.quantity,
                occurred_at=occurred_at,
                store_sequence=first_sequence + i,
                reason_id=v.reason.reason_id if v.reason else None,
                reference=f"stocktake:{self.stocktake_id}",
            )
            for i, v in enumerate(moved)
        ]

    def _check_open(self) -> None:
        if self.status is StocktakeStatus.FINALISED:
            raise StocktakeError(f"stocktake {self.stocktake_id} is finalised and cannot change")

    def _check_store(self, line: StockLine) -> None:
        if line.store_id != self.store_id:
            raise StocktakeError(f"{line} is not in store {self.store_id}")


def _check_reasons(variances: list[Variance]) -> None:
    """Every non-zero variance needs a reason of the matching direction; list what is missing."""
    problems = [p for v in variances if (p := _reason_problem(v))]
    if problems:
        shown = "; ".join(problems[:_LISTED_PROBLEMS])
        more = len(problems) - _LISTED_PROBLEMS
        raise StocktakeError(
            f"{len(problems)} line(s) need a reason: {shown}"
            + (f"; and {more} more" if more > 0 else "")
        )


def _reason_problem(v: Variance) -> str | None:
    if v.quantity == 0:
        return None
    needed = "credit" if v.quantity > 0 else "debit"
    where = f"item {v.line.item_id} batch {v.line.batch_id} location {v.line.location_id}"
    if v.reason is None:
        return f"{where}: variance {v.quantity:+d} has no reason"
    if v.reason.direction != needed:
        return f"{where}: variance {v.quantity:+d} needs a {needed} reason, not {v.reason.name!r}"
    return None
