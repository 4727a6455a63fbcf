"""Central's web process keeps its names and live alerts from the topics, as every service does.

Reference topics are compacted and small: read from the start into memory. Alerts are only a
signal here (the rows come from inventory's API, filtered by the user's rights): followed from
the end, each record wakes the dashboards.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from uuid import UUID

from aiokafka import AIOKafkaConsumer

from akiba_contracts.envelope import decode
from akiba_contracts.payloads.reference import (
    AdjustmentReasonChanged,
    BatchChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
)
from akiba_contracts.payloads.requisition_reference import PeriodChanged, ProgramChanged
from akiba_platform import kafka
from akiba_web.changes import Changes
from akiba_web.reference import Batch, Item, Location, Reason, Reference, Store

log = logging.getLogger(__name__)

REFERENCE_TOPICS = (
    "inventory.facilities",
    "inventory.orderables",
    "inventory.batches",
    "inventory.locations",
    "inventory.adjustment-reasons",
    "requisition.programs",
    "requisition.schedules",
)
ALERTS_TOPIC = "inventory.alerts"


def _store(ref: Reference, d: dict[str, Any]) -> None:
    ref.stores[UUID(d["store_id"])] = Store(UUID(d["store_id"]), d["code"], d["name"], d["active"])


def _item(ref: Reference, d: dict[str, Any]) -> None:
    ref.items[UUID(d["item_id"])] = Item(UUID(d["item_id"]), d["code"], d["name"], d["active"])


def _batch(ref: Reference, d: dict[str, Any]) -> None:
    expiry = date.fromisoformat(d["expiry_date"]) if d.get("expiry_date") else None
    batch = Batch(UUID(d["batch_id"]), UUID(d["item_id"]), d["lot_code"], expiry)
    ref.batches[batch.batch_id] = batch


def _location(ref: Reference, d: dict[str, Any]) -> None:
    loc = Location(UUID(d["location_id"]), UUID(d["store_id"]), d["code"], d["name"], d["active"])
    ref.locations[loc.location_id] = loc


def _reason(ref: Reference, d: dict[str, Any]) -> None:
    reason = Reason(UUID(d["reason_id"]), d["name"], d["direction"], d["active"])
    ref.reasons[reason.reason_id] = reason


def _program(ref: Reference, d: dict[str, Any]) -> None:
    ref.programs[UUID(d["program_id"])] = d["name"]


def _period(ref: Reference, d: dict[str, Any]) -> None:
    ref.periods[UUID(d["period_id"])] = d["name"]


APPLY: dict[str, Callable[[Reference, dict[str, Any]], None]] = {
    FacilityChanged.event_type: _store,
    OrderableChanged.event_type: _item,
    BatchChanged.event_type: _batch,
    LocationChanged.event_type: _location,
    AdjustmentReasonChanged.event_type: _reason,
    ProgramChanged.event_type: _program,
    PeriodChanged.event_type: _period,
}


def apply(ref: Reference, event_type: str, d: dict[str, Any]) -> None:
    """Take one reference record into the read model (other event types are ignored)."""
    take = APPLY.get(event_type)
    if take is not None:
        take(ref, d)


class Follower:
    """A group-less reader of some topics, handing each record's event to a function."""

    def __init__(
        self,
        bootstrap: str,
        topics: tuple[str, ...],
        start: Literal["earliest", "latest"],
        take: Callable[[str, dict[str, Any]], None],
    ) -> None:
        self._consumer = AIOKafkaConsumer(
            *topics,
            bootstrap_servers=bootstrap,
            group_id=None,
            auto_offset_reset=start,
            enable_auto_commit=False,
            **kafka.options(),
        )
        self._take = take
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Connect and follow in the background."""
        await self._consumer.start()
        self._task = asyncio.create_task(self._follow())

    async def stop(self) -> None:
        """Stop following."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._consumer.stop()

    async def _follow(self) -> None:
        while True:
            batches = await self._consumer.getmany(timeout_ms=1000)
            for records in batches.values():
                for r in records:
                    self._one(r.value)

    def _one(self, raw: bytes | None) -> None:
        try:
            event = decode(raw or b"")
            self._take(event.type, dict(event.data or {}))
        except Exception:
            # One unreadable record must not stop the names or the live alerts of everyone.
            log.exception("web: unreadable record skipped")


def reference_follower(bootstrap: str, ref: Reference) -> Follower:
    """Keeps the names current from the reference topics."""
    return Follower(bootstrap, REFERENCE_TOPICS, "earliest", lambda t, d: apply(ref, t, d))


def alerts_follower(bootstrap: str, changes: Changes) -> Follower:
    """Wakes the dashboards whenever an alert starts or ends."""
    return Follower(bootstrap, (ALERTS_TOPIC,), "latest", lambda _t, _d: changes.bump())
