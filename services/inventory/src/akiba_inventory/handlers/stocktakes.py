"""Stocktake commands: create (snapshot), count, finalise (variances posted to the ledger).

Lock order is the store row, then the stocktake row, for every command, so a stocktake's
snapshot, its counts and its finalising serialise with the store's other writes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID, uuid4

from akiba_inventory.adapters.ledger import Level
from akiba_inventory.adapters.stocktakes import SavedLine, Scope, StocktakeRecord
from akiba_inventory.adapters.stores import WritableStore
from akiba_inventory.handlers import checks
from akiba_inventory.handlers.posting import post_and_publish
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_stock import reasons
from akiba_stock.commands import CreateStocktake, EnterCounts, FinaliseStocktake
from akiba_stock.ledger import LedgerEntry, StockLine
from akiba_stock.model import StockMovement, line_of
from akiba_stock.programs import check_programs
from akiba_stock.reference import AdjustmentReason
from akiba_stock.stocktake import Stocktake, StocktakeError, StocktakeStatus, check_open


async def create_stocktake(cmd: CreateStocktake, uow: InventoryUnitOfWork) -> StocktakeRecord:
    """Snapshot stock on hand in scope, as of the store's last sequence (taken under its lock)."""
    async with uow:
        store = await checks.central_store(uow, cmd.store_id)
        if cmd.item_ids:
            await checks.check_items(uow, set(cmd.item_ids), cmd.programs)
        await checks.check_locations(uow, store, set(cmd.location_ids))
        scope = Scope(tuple(dict.fromkeys(cmd.item_ids)), tuple(dict.fromkeys(cmd.location_ids)))
        snapshot = await uow.stocktakes.snapshot(cmd.store_id, scope)
        record = StocktakeRecord(
            stocktake_id=uuid4(),
            store_id=cmd.store_id,
            status=StocktakeStatus.DRAFT,
            snapshot_sequence=store.next_sequence - 1,
            scope=scope,
            program_id=cmd.program_id,
            reference=cmd.reference,
            created_by=cmd.actor,
        )
        # The aggregate checks the snapshot; the repository stores what it accepted.
        stocktake = Stocktake(record.stocktake_id, cmd.store_id, snapshot, record.snapshot_sequence)
        await uow.stocktakes.add(record, {ln: s.snapshot for ln, s in stocktake.lines.items()})
        await uow.commit()
    return record


async def enter_counts(cmd: EnterCounts, uow: InventoryUnitOfWork) -> StocktakeRecord:
    """Record counts (also of batches not in the snapshot, joining with snapshot 0)."""
    async with uow:
        store = await checks.central_store(uow, cmd.store_id)
        record = await _open_stocktake(uow, cmd.store_id, cmd.stocktake_id)
        lines = {
            c: StockLine(cmd.store_id, c.item_id, c.batch_id, c.location_id) for c in cmd.counts
        }
        _check_scope(record, lines.values())
        await checks.check_items(uow, {c.item_id for c in cmd.counts}, cmd.programs)
        await checks.check_locations(uow, store, {c.location_id for c in cmd.counts})
        await checks.load_batches(uow, {c.batch_id: c.item_id for c in cmd.counts})
        reasons = await _reasons(uow, {c.reason_id for c in cmd.counts}, record, store)
        stocktake = await _load(uow, record, reasons)
        for c, line in lines.items():
            stocktake.count(line, c.counted, reasons.get(c.reason_id) if c.reason_id else None)
        touched = [stocktake.lines[ln] for ln in dict.fromkeys(lines.values())]
        now = datetime.now(UTC)
        await uow.stocktakes.save_counts(record.stocktake_id, touched, cmd.actor, now)
        await uow.commit()
    return record


async def finalise_stocktake(cmd: FinaliseStocktake, uow: InventoryUnitOfWork) -> StocktakeRecord:
    """Post every non-zero variance as a stocktake balance, leaving stock on hand = counted."""
    async with uow:
        store = await checks.central_store(uow, cmd.store_id)
        record = await _open_stocktake(uow, cmd.store_id, cmd.stocktake_id)
        saved = await uow.stocktakes.lines(record.stocktake_id)
        # Finalising posts every counted line's variance: its author must cover those items.
        counted = {s.line.item_id for s in saved if s.counted is not None}
        items = await uow.stores.item_programs(counted)
        check_programs(cmd.programs, items)
        reasons = await _reasons(uow, {s.reason_id for s in saved}, record, store)
        stocktake = _rebuild(record, saved, reasons)
        since = await uow.stocktakes.movements_since(record)
        now = datetime.now(UTC)
        result = stocktake.finalise(since, now, store.next_sequence)
        movements = await _movements(uow, result.adjustments, cmd.actor, now)
        if movements:
            _check_exact(stocktake, await _post(uow, movements))
        posted = {line_of(m): m.movement_id for m in movements}
        await uow.stocktakes.finalise(record.stocktake_id, result.variances, posted, cmd.actor, now)
        await uow.commit()
    return record


async def _post(uow: InventoryUnitOfWork, movements: list[StockMovement]) -> list[Level]:
    # Not `central`: the availability check is for issues. A count is a fact about the shelf,
    # and a line that is on hold or reserved must still be brought to what was counted. The
    # result cannot go below zero: counts are >= 0 and expected is the line's SOH (checked).
    return await post_and_publish(uow, movements, central=False)


def _check_exact(stocktake: Stocktake, levels: list[Level]) -> None:
    """Each adjusted line now holds exactly its count; anything else is a bug, so roll back."""
    wrong = [lv for lv in levels if lv.quantity != stocktake.lines[lv.line].counted]
    if wrong:
        raise RuntimeError(f"stocktake {stocktake.stocktake_id} left {wrong[0]} off its count")


async def _movements(
    uow: InventoryUnitOfWork, entries: list[LedgerEntry], actor: str, now: datetime
) -> list[StockMovement]:
    """The domain's stocktake-balance entries as ledger movements of their batches."""
    wanted = {_batch_id(e.line): e.line.item_id for e in entries}
    batches = await checks.load_batches(uow, wanted) if wanted else {}
    return [
        StockMovement(
            movement_id=e.entry_id,
            store_id=e.line.store_id,
            store_sequence=e.store_sequence,
            item_id=e.line.item_id,
            batch=batches[_batch_id(e.line)],
            location_id=e.line.location_id,
            movement_type=e.kind,
            quantity=e.quantity,
            occurred_at=e.occurred_at,
            recorded_at=now,
            actor=actor,
            reference=e.reference,
            reason_id=e.reason_id,
        )
        for e in entries
    ]


def _batch_id(line: StockLine) -> UUID:
    assert line.batch_id is not None  # stocktake lines always name a batch (not null in SQL)
    return line.batch_id


async def _open_stocktake(
    uow: InventoryUnitOfWork, store_id: UUID, stocktake_id: UUID
) -> StocktakeRecord:
    """The stocktake, locked; 404 if not this store's, 409 once finalised."""
    record = await uow.stocktakes.get(store_id, stocktake_id)
    check_open(store_id, stocktake_id, None if record is None else record.status)
    assert record is not None  # check_open refused a missing one
    return record


def _check_scope(record: StocktakeRecord, lines: Iterable[StockLine]) -> None:
    """Counts stay within the scope snapshotted, so a new line's snapshot of 0 is true."""
    outside = [ln for ln in lines if not record.scope.covers(ln)]
    if outside:
        ln = outside[0]
        raise StocktakeError(
            f"item {ln.item_id} at location {ln.location_id} is outside this stocktake's items"
            " and locations"
        )


async def _reasons(
    uow: InventoryUnitOfWork,
    ids: set[UUID | None],
    record: StocktakeRecord,
    store: WritableStore,
) -> dict[UUID, AdjustmentReason]:
    """The reasons named (a few per stocktake), each active, an adjustment reason, valid here."""
    found: dict[UUID, AdjustmentReason] = {}
    for reason_id in reasons.named(ids):
        reason = await uow.reference.get(AdjustmentReason, reason_id)
        found[reason_id] = reasons.for_variance(
            reason_id, reason, record.program_id, store.facility_type_id
        )
    return found


async def _load(
    uow: InventoryUnitOfWork, record: StocktakeRecord, reasons: dict[UUID, AdjustmentReason]
) -> Stocktake:
    """The aggregate with its saved counts, loading any further reasons those name."""
    saved = await uow.stocktakes.lines(record.stocktake_id)
    missing = {s.reason_id for s in saved if s.reason_id and s.reason_id not in reasons}
    for reason_id in missing:
        reason = await uow.reference.get(AdjustmentReason, reason_id)
        if reason is not None:  # a reason deactivated since is caught when finalising
            reasons = {**reasons, reason_id: reason}
    return _rebuild(record, saved, reasons)


def _rebuild(
    record: StocktakeRecord, saved: list[SavedLine], reasons: dict[UUID, AdjustmentReason]
) -> Stocktake:
    """Replay the snapshot and the saved counts through the aggregate."""
    snapshot = {s.line: s.snapshot for s in saved}
    stocktake = Stocktake(record.stocktake_id, record.store_id, snapshot, record.snapshot_sequence)
    for s in saved:
        if s.counted is not None:
            reason = reasons.get(s.reason_id) if s.reason_id else None
            stocktake.count(s.line, s.counted, reason)
    return stocktake
