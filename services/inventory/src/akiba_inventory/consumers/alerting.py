"""The alert evaluator: after movements, and on a periodic sweep, alerts that start or end.

Consumed movements only name the (store, item) pairs to look at again: the evaluation reads the
current ledger state in inventory's own database, so a redelivered or late event can only
re-confirm what is true now. Transitions are the difference with `active_alerts`, written with
their events to the outbox in the consumer's (or the sweep's) transaction: an evaluation that
changes nothing publishes nothing. The sweep exists because time alone starts alerts (a batch
comes within its expiry warning, or expires) and ends them (consumption leaves the window).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from pydantic import ValidationError

from akiba_contracts.payloads.alerts import AlertEnded, AlertKind, AlertStarted
from akiba_contracts.payloads.inventory import StockMovementRecorded
from akiba_inventory.adapters.alerts import StoredAlert
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_inventory.views import consumption as cv
from akiba_platform import (
    BatchHandler,
    Connection,
    Delivery,
    OutboxMessage,
    PermanentError,
    is_transient,
    message_of,
)
from akiba_stock.alerts import ActiveAlert, BatchState, ItemState, evaluate, transitions
from akiba_stock.consumption import months_of_stock

log = logging.getLogger(__name__)

NAME = "inventory.alert-evaluator"
ALERTS = "inventory.alerts"
SOURCE = "/akiba/inventory"
SWEEP = "alerts"
_FIRST: cv.Pair = (UUID(int=0), UUID(int=0))

Clock = Callable[[], datetime]
Snapshot = tuple[int, Any, Any, Any]  # stock on hand, AMC, MOS, expiry date


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def touched(deliveries: Sequence[Delivery]) -> list[cv.Pair]:
    """The (store, item) pairs the batch's movements touched, in order."""
    pairs = set()
    for d in deliveries:
        if d.event.type != StockMovementRecorded.event_type:
            continue  # other event types on the topic say nothing about stock
        try:
            m = StockMovementRecorded.model_validate(d.event.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
        pairs.add((m.store_id, m.item_id))
    return sorted(pairs)


def evaluator(clock: Clock = utc_now) -> BatchHandler:
    """The consumer's batch handler: re-evaluate the pairs the movements touched."""

    async def handle(conn: Connection, deliveries: Sequence[Delivery]) -> None:
        pairs = touched(deliveries)
        if pairs:
            await reevaluate(conn, pairs, clock())

    return handle


async def reevaluate(
    conn: Connection, pairs: list[cv.Pair], now: datetime
) -> tuple[list[StoredAlert], list[StoredAlert]]:
    """Evaluate the pairs now; store and publish what started and ended: (started, ended)."""
    uow = InventoryUnitOfWork.joining(conn)
    repo = uow.alerts
    await repo.lock({store for store, _ in pairs})
    figures = await cv.figures(conn, pairs, now)
    batches = await cv.batch_states(conn, pairs)
    today = now.astimezone(UTC).date()
    after: set[ActiveAlert] = set()
    for pair in pairs:
        f = figures[pair]
        state = ItemState(*pair, f.soh, f.amc, f.consumed, tuple(batches.get(pair, ())))
        after |= evaluate(state, f.thresholds, today)
    before = await repo.active(pairs)
    started, ended = transitions(set(before), after)
    gone = sorted((before[a] for a in ended), key=lambda s: s.started_at)
    new = [_new(a, _snapshot(a, figures, batches), now) for a in sorted(started, key=_order)]
    await repo.end([s.alert_id for s in gone])
    await repo.start(new)
    # Ends first: on a key whose alert changes kind, the latest record must be the new start.
    ends = [alert_ended(s, _snapshot(s.alert, figures, batches), now) for s in gone]
    uow.publish(*ends, *(alert_started(s) for s in new))
    await uow.commit()  # joined: writes the queued events; the consumer loop commits
    return new, gone


def _order(a: ActiveAlert) -> tuple[str, str, str, str]:
    return (str(a.store_id), str(a.item_id), str(a.batch_id or ""), a.kind.value)


def _snapshot(
    a: ActiveAlert, figures: dict[cv.Pair, cv.ItemFigures], batches: dict[cv.Pair, list[BatchState]]
) -> Snapshot:
    """The figures an alert reports: the item's, or for a batch its SOH, expiry and cover."""
    f = figures[(a.store_id, a.item_id)]
    if a.batch_id is None:
        return f.soh, f.amc, f.mos, None
    found = [b for b in batches.get((a.store_id, a.item_id), []) if b.batch_id == a.batch_id]
    if not found:
        return 0, f.amc, None, None
    return found[0].soh, f.amc, months_of_stock(found[0].soh, f.amc), found[0].expiry_date


def _new(a: ActiveAlert, snap: Snapshot, now: datetime) -> StoredAlert:
    return StoredAlert(a, uuid4(), now, *snap)


def alert_started(s: StoredAlert) -> OutboxMessage:
    """The event of an alert that started."""
    return _message(AlertStarted(**_fields(s)), s)


def alert_ended(s: StoredAlert, snap: Snapshot, ended_at: datetime) -> OutboxMessage:
    """The event of an alert that ended, with the figures it ended on."""
    soh, amc, mos, expiry = snap
    now = {"stock_on_hand": soh, "amc": amc, "months_of_stock": mos}
    if expiry is not None:
        now["expiry_date"] = expiry
    return _message(AlertEnded(**(_fields(s) | now), ended_at=ended_at), s)


def _fields(s: StoredAlert) -> dict[str, Any]:
    a = s.alert
    return {
        "alert_id": s.alert_id,
        "kind": AlertKind(a.kind.value),
        "store_id": a.store_id,
        "item_id": a.item_id,
        "batch_id": a.batch_id,
        "started_at": s.started_at,
        "stock_on_hand": s.stock_on_hand,
        "amc": s.amc,
        "months_of_stock": s.mos,
        "expiry_date": s.expiry_date,
    }


def _message(payload: AlertStarted | AlertEnded, s: StoredAlert) -> OutboxMessage:
    subject = f"stores/{s.alert.store_id}/items/{s.alert.item_id}"
    return message_of(ALERTS, SOURCE, subject, payload)


async def sweep(pool: Any, now: datetime, *, chunk: int = 500) -> int:
    """Re-evaluate every pair with stock lines or alerts, a chunk per transaction; how many."""
    after, count = _FIRST, 0
    while True:
        async with pool.acquire() as conn, conn.transaction():
            pairs = await InventoryUnitOfWork.joining(conn).alerts.pairs_after(after, chunk)
            if not pairs:
                return count
            await reevaluate(conn, pairs, now)
        count, after = count + len(pairs), pairs[-1]


async def _sweep_if_due(pool: Any, now: datetime, every: timedelta, chunk: int) -> None:
    async with pool.acquire() as conn:
        claimed = await InventoryUnitOfWork.joining(conn).alerts.claim_sweep(SWEEP, now, every)
    if claimed:
        count = await sweep(pool, now, chunk=chunk)
        log.info("alert sweep done", extra={"pairs": count})


async def sweep_periodically(
    pool: Any,
    stop: asyncio.Event,
    *,
    every: timedelta,
    poll_seconds: float,
    chunk: int = 500,
    clock: Clock = utc_now,
) -> None:
    """Sweep whenever the last sweep (by any instance) started `every` ago; check each poll."""
    while not stop.is_set():
        try:
            await _sweep_if_due(pool, clock(), every, chunk)
        except Exception as exc:
            if not is_transient(exc):
                raise
            # The turn is taken; the next one comes `every` later, like after a crash mid-sweep.
            log.warning("alert sweep failed", extra={"error": repr(exc)})
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), poll_seconds)
