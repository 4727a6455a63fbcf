"""Edge documents: facts a site recorded, applied in the store's sequence, held across gaps."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Generic, Protocol, TypeVar
from uuid import UUID

from akiba_stock.errors import InvalidMovement
from akiba_stock.ledger import REASONED_KINDS, LedgerKind, check_sign
from akiba_stock.model import Batch, StockMovement


@dataclass(frozen=True)
class EdgeLine:
    """One line of a site document; its quantity is signed."""

    movement_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None
    location_id: UUID | None
    kind: LedgerKind
    quantity: int
    reason_id: UUID | None


@dataclass(frozen=True)
class EdgeDocument:
    """A site document whose lines are ledger entries first_sequence, first_sequence + 1, …"""

    event_id: UUID
    site_id: UUID
    store_id: UUID
    first_sequence: int
    occurred_at: datetime
    actor: str
    reference: str | None
    source: str | None
    lines: tuple[EdgeLine, ...]

    @property
    def line_count(self) -> int:
        """How many sequence numbers the document takes."""
        return len(self.lines)

    def check(self) -> None:
        """The ledger's rules every line must keep, wherever it was recorded."""
        if self.first_sequence < 1:
            raise InvalidMovement("store sequences start at 1")
        ids = {ln.movement_id for ln in self.lines}
        if len(ids) != len(self.lines):
            raise InvalidMovement("a movement id appears twice in the document")
        for ln in self.lines:
            check_sign(ln.kind, ln.quantity)
            if ln.kind in REASONED_KINDS and ln.reason_id is None:
                raise InvalidMovement(f"a {ln.kind} needs a reason")

    def movements(
        self, batches: dict[tuple[UUID, str], Batch], now: datetime
    ) -> list[StockMovement]:
        """The ledger entries, numbered from first_sequence, on the batches central holds."""
        return [
            StockMovement(
                movement_id=ln.movement_id,
                store_id=self.store_id,
                store_sequence=self.first_sequence + i,
                item_id=ln.item_id,
                batch=batches[(ln.item_id, ln.lot_code)],
                location_id=ln.location_id,
                movement_type=ln.kind,
                quantity=ln.quantity,
                occurred_at=self.occurred_at,
                recorded_at=now,
                actor=self.actor,
                reference=self.reference,
                source=self.source,
                reason_id=ln.reason_id,
            )
            for i, ln in enumerate(self.lines)
        ]


class Sequenced(Protocol):
    """Anything that occupies a run of a store's sequence numbers."""

    @property
    def event_id(self) -> UUID: ...

    @property
    def first_sequence(self) -> int: ...

    @property
    def line_count(self) -> int: ...


S = TypeVar("S", bound=Sequenced)


@dataclass
class Plan(Generic[S]):
    """What to do with one store's candidates, given where its ledger stands."""

    apply: list[S] = field(default_factory=list)
    held: list[S] = field(default_factory=list)
    taken: list[S] = field(default_factory=list)
    next_sequence: int = 1


def plan(
    next_sequence: int, candidates: Iterable[S], ready: Callable[[S], bool] = lambda _: True
) -> Plan[S]:
    """Apply the consecutive run of ready candidates from next_sequence; hold what is ahead.

    A candidate whose first sequence is already taken (behind next_sequence, inside a run that
    applies now, or claimed by an earlier candidate: candidates come oldest first) is `taken`:
    the caller tells a resend of the same document (a duplicate) from another document at the
    same numbers (a conflict: two writers, a restored or cloned gateway). One that is not
    ready (its site's right to write the store not yet seen here) stops the run where it is.
    """
    result: Plan[S] = Plan(next_sequence=next_sequence)
    ahead: dict[int, S] = {}
    for c in candidates:
        if c.first_sequence < next_sequence or c.first_sequence in ahead:
            result.taken.append(c)
        else:
            ahead[c.first_sequence] = c
    while result.next_sequence in ahead and ready(ahead[result.next_sequence]):
        c = ahead.pop(result.next_sequence)
        result.apply.append(c)
        result.next_sequence += c.line_count
    for seq in sorted(ahead):
        bucket = result.taken if seq < result.next_sequence else result.held
        bucket.append(ahead[seq])
    return result
