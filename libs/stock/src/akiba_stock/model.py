"""Batches and stock movements: the ledger's facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cached_property
from uuid import UUID, uuid4

from akiba_stock.commands import MoveStock, ReceiveStock, RecordMovements
from akiba_stock.errors import BatchConflict, InvalidMovement
from akiba_stock.ids import new_id
from akiba_stock.ledger import REASONED_KINDS, LedgerEntry, LedgerKind, StockLine, signed

# A device clock a little ahead of ours is not a back-to-the-future movement.
CLOCK_SKEW = timedelta(minutes=5)
MovementType = LedgerKind  # the ledger's kinds are the movements' types


@dataclass(frozen=True)
class Batch:
    """A lot of an item with its expiry."""

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None

    def check_same(self, expiry_date: date | None) -> None:
        """A lot has one expiry; a receipt that disagrees is a data error."""
        if expiry_date is not None and expiry_date != self.expiry_date:
            raise BatchConflict(
                f"lot {self.lot_code} is recorded with expiry {self.expiry_date}, not {expiry_date}"
            )


@dataclass(frozen=True)
class StockMovement:
    """One immutable ledger entry; quantity is signed, in dispensing units."""

    movement_id: UUID
    store_id: UUID
    store_sequence: int
    item_id: UUID
    batch: Batch
    location_id: UUID | None
    movement_type: MovementType
    quantity: int
    occurred_at: datetime
    recorded_at: datetime
    actor: str
    reference: str | None = None
    source: str | None = None
    reason_id: UUID | None = None

    @cached_property
    def line(self) -> StockLine:
        """The stock line it moves, made once: a posting looks it up several times."""
        return StockLine(self.store_id, self.item_id, self.batch.batch_id, self.location_id)


def new_batch(cmd: ReceiveStock) -> Batch:
    """The batch a receipt of an unknown lot creates."""
    return Batch(uuid4(), cmd.item_id, cmd.lot_code, cmd.expiry_date)


def receive(cmd: ReceiveStock, batch: Batch, sequence: int, now: datetime) -> StockMovement:
    """Turn a receipt into a ledger entry, or refuse it."""
    if cmd.quantity <= 0:
        raise InvalidMovement("a receipt adds stock: quantity must be positive")
    occurred = cmd.occurred_at or now
    if occurred > now + CLOCK_SKEW:
        raise InvalidMovement("a receipt cannot happen in the future")
    batch.check_same(cmd.expiry_date)
    return StockMovement(
        movement_id=new_id(),
        store_id=cmd.store_id,
        store_sequence=sequence,
        item_id=cmd.item_id,
        batch=batch,
        location_id=cmd.location_id,
        movement_type=MovementType.RECEIPT,
        quantity=cmd.quantity,
        occurred_at=occurred,
        recorded_at=now,
        actor=cmd.actor,
        reference=cmd.reference,
        source=cmd.source,
    )


def _when(occurred_at: datetime | None, now: datetime) -> datetime:
    occurred = occurred_at or now
    if occurred > now + CLOCK_SKEW:
        raise InvalidMovement("a movement cannot happen in the future")
    return occurred


def record(
    cmd: RecordMovements, batches: dict[UUID, Batch], sequence: int, now: datetime
) -> list[StockMovement]:
    """Issues and adjustments: one ledger entry per line, numbered from `sequence`."""
    if cmd.kind not in RECORDABLE:
        raise InvalidMovement(f"{cmd.kind} is not recorded through this command")
    if not cmd.lines:
        raise InvalidMovement("a document needs at least one line")
    occurred = _when(cmd.occurred_at, now)
    out = []
    for i, line in enumerate(cmd.lines):
        if line.quantity <= 0:
            raise InvalidMovement("line quantities are positive; the kind gives the sign")
        if cmd.kind in REASONED_KINDS and line.reason_id is None:
            raise InvalidMovement("an adjustment needs a reason on every line")
        out.append(
            StockMovement(
                movement_id=new_id(),
                store_id=cmd.store_id,
                store_sequence=sequence + i,
                item_id=line.item_id,
                batch=batches[line.batch_id],
                location_id=line.location_id,
                movement_type=cmd.kind,
                quantity=signed(cmd.kind, line.quantity),
                occurred_at=occurred,
                recorded_at=now,
                actor=cmd.actor,
                reference=cmd.reference,
                source=cmd.counterparty,
                reason_id=line.reason_id,
            )
        )
    return out


@dataclass(frozen=True)
class ShipmentLine:
    """Units of one batch at one location of a store, on a shipment."""

    batch: Batch
    location_id: UUID | None
    quantity: int


def shipment_movements(
    kind: MovementType,
    store_id: UUID,
    lines: Iterable[ShipmentLine],
    sequence: int,
    occurred_at: datetime,
    now: datetime,
    actor: str,
    reference: str,
    counterparty: str | None,
) -> list[StockMovement]:
    """A shipment leaving (SHIPMENT_OUT) or entering (SHIPMENT_IN) a store, numbered from
    `sequence`; lines of no units are left out."""
    if kind not in (LedgerKind.SHIPMENT_OUT, LedgerKind.SHIPMENT_IN):
        raise InvalidMovement(f"{kind} is not a shipment movement")
    out: list[StockMovement] = []
    for line in lines:
        if line.quantity < 0:
            raise InvalidMovement("shipment quantities are positive; the kind gives the sign")
        if line.quantity == 0:
            continue
        out.append(
            StockMovement(
                movement_id=new_id(),
                store_id=store_id,
                store_sequence=sequence + len(out),
                item_id=line.batch.item_id,
                batch=line.batch,
                location_id=line.location_id,
                movement_type=kind,
                quantity=signed(kind, line.quantity),
                occurred_at=occurred_at,
                recorded_at=now,
                actor=actor,
                reference=reference,
                source=counterparty,
            )
        )
    return out


RECORDABLE = frozenset(
    {LedgerKind.ISSUE, LedgerKind.ADJUSTMENT_POSITIVE, LedgerKind.ADJUSTMENT_NEGATIVE}
)


def move(cmd: MoveStock, batch: Batch, sequence: int, now: datetime) -> list[StockMovement]:
    """A location move: out of one shelf and into another, netting to zero for the batch."""
    if cmd.quantity <= 0:
        raise InvalidMovement("a move needs a positive quantity")
    if cmd.from_location_id == cmd.to_location_id:
        raise InvalidMovement("a move needs two different locations")
    occurred = _when(cmd.occurred_at, now)
    reference = cmd.reference or f"move:{uuid4()}"
    legs = [
        (LedgerKind.LOCATION_MOVE_OUT, cmd.from_location_id),
        (LedgerKind.LOCATION_MOVE_IN, cmd.to_location_id),
    ]
    return [
        StockMovement(
            movement_id=new_id(),
            store_id=cmd.store_id,
            store_sequence=sequence + i,
            item_id=cmd.item_id,
            batch=batch,
            location_id=location,
            movement_type=kind,
            quantity=signed(kind, cmd.quantity),
            occurred_at=occurred,
            recorded_at=now,
            actor=cmd.actor,
            reference=reference,
        )
        for i, (kind, location) in enumerate(legs)
    ]


def line_of(m: StockMovement) -> StockLine:
    """The stock line a movement moves."""
    return m.line


def removals(movements: Iterable[StockMovement]) -> dict[StockLine, int]:
    """Units each line loses net across the movements (lines that gain or net zero are left out)."""
    change: dict[StockLine, int] = defaultdict(int)
    for m in movements:
        change[line_of(m)] += m.quantity
    return {line: -delta for line, delta in change.items() if delta < 0}


def entry_of(m: StockMovement) -> LedgerEntry:
    """A movement as the ledger's rules see it (same id, line, kind and sequence)."""
    return LedgerEntry(
        line_of(m),
        m.movement_type,
        m.quantity,
        m.occurred_at,
        m.store_sequence,
        reason_id=m.reason_id,
        reference=m.reference,
        entry_id=m.movement_id,
    )
