"""Pushes stay under a byte ceiling as well as a count; a push central finds too large is split;
one event too large alone stays pending, shown as blocked, and holds back only its store."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.sync import health
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.testing import FakeDownlink, FakeHub, FakeUplink

from ..hub import Central
from ..site import Site
from .test_sync import _receipts, _states, _two_stores

NOW = datetime.now(UTC)


class Clock:
    """A monotonic clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class SizedUplink(FakeUplink):
    """Keeps each push's body size too."""

    def __init__(self, hub: FakeHub) -> None:
        super().__init__(hub)
        self.sizes: list[int] = []

    async def push(self, events: list[bytes]) -> Any:
        self.sizes.append(len(b"[" + b",".join(events) + b"]"))
        return await super().push(events)


def _forwarder(db: Database, uplink: Any, **options: Any) -> Forwarder:
    options = {"batch_size": 500, "idle_seconds": 0.001, **options}
    return Forwarder(db, uplink, Backoff(0.001, 0.001), **options)


async def _drain(forwarder: Forwarder) -> None:
    while await forwarder.forward_once():
        pass


async def _receipt(db: Database, site: Site, store: Any, reference: str = "") -> None:
    cmd = ReceiveStock(store, site.item_id, "L", None, 1, None, "clerk", reference=reference)
    await db.write(lambda c: handlers.receive_stock(Tx(c), site.site_id, cmd, NOW))


async def _large_receipt(db: Database, site: Site, store: Any, pad: int) -> None:
    """A receipt whose event is made `pad` bytes larger (an extension attribute no contract
    bound limits, as a very large document would be)."""
    await _receipt(db, site, store)

    def grow(c: Any) -> None:
        c.execute(
            "UPDATE outbox_body SET body = CAST('{\"padding\":\"' || ? || '\",'"
            " || substr(CAST(body AS TEXT), 2) AS BLOB)"
            " WHERE outbox_seq = (SELECT max(outbox_seq) FROM outbox_body)",
            ("p" * pad,),
        )

    await db.write(grow)


def _body_sizes(db: Database) -> list[int]:
    return [
        r[0] for r in db._writer.execute("SELECT length(body) FROM outbox_body ORDER BY outbox_seq")
    ]


async def test_pushes_are_split_by_bytes_as_well_as_by_count(seeded: Database, site: Site) -> None:
    await _receipts(seeded, site, 20)
    size = max(_body_sizes(seeded))
    hub = FakeHub(site.site_id, {site.store_id})
    uplink = SizedUplink(hub)
    await _drain(_forwarder(seeded, uplink, batch_size=8, max_bytes=3 * size + 4))

    assert uplink.batches == [3, 3, 2, 3, 3, 2, 3, 1]  # rounds of 8: the count limit
    assert max(uplink.sizes) <= 3 * size + 4
    assert [e["storeseq"] for e in hub.received] == list(range(1, 21))


async def test_a_push_central_finds_too_large_is_split_and_every_event_goes_once_in_order(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 30)
    size = max(_body_sizes(seeded))
    hub = FakeHub(site.site_id, {site.store_id}, max_bytes=5 * size)  # a proxy's body limit
    central = Central(hub, FakeDownlink([]))
    up, _, client = central.links()
    async with client:
        forwarder = _forwarder(seeded, up, batch_size=16)
        await _drain(forwarder)

    assert [e["storeseq"] for e in hub.received] == list(range(1, 31))
    assert _states(seeded) == ["forwarded"] * 30
    assert forwarder.max_bytes <= 5 * size  # learnt: later pushes are not refused first


async def test_an_event_too_large_alone_stays_pending_shown_blocked_and_holds_only_its_store(
    seeded: Database, site: Site
) -> None:
    await _two_stores(seeded, site, each=2)  # outbox: A1 B1 A2 B2
    await _large_receipt(seeded, site, site.store_id, 3000)  # A3, large
    await _receipt(seeded, site, site.store_id)  # A4
    await _receipt(seeded, site, site.other_store)  # B3
    small, large = min(_body_sizes(seeded)), max(_body_sizes(seeded))
    hub = FakeHub(site.site_id, {site.store_id, site.other_store}, max_bytes=2 * small + 3)
    uplink = FakeUplink(hub)
    clock = Clock()
    forwarder = _forwarder(seeded, uplink, lanes=2, blocked_retry_seconds=60, monotonic=clock)
    await _drain(forwarder)

    assert _states(seeded) == ["forwarded"] * 4 + ["pending", "pending", "forwarded"]
    status = health.status(seeded._writer, NOW)
    (blocked,) = status["blocked"]
    (a3,) = seeded._writer.execute("SELECT event_id FROM outbox WHERE outbox_seq = 5").fetchone()
    assert blocked["event_id"] == a3 and blocked["store_sequence"] == 3
    assert blocked["bytes"] == large
    assert f"is {large} bytes" in blocked["reason"]
    assert f"at most {2 * small + 3} bytes" in blocked["reason"]  # the limit, as central said
    assert status["last_errors"][0]["kind"] == "too_large"
    assert status["last_errors"][0]["event_id"] == a3
    assert status["not_forwarded"] == 2  # kept, never dropped: it is a recorded transaction

    pushes = len(uplink.batches)
    await _drain(forwarder)
    clock.now += 59
    await _drain(forwarder)
    assert len(uplink.batches) == pushes  # no hot loop on the blocked event

    hub.max_bytes = None  # central's limit raised
    clock.now += 2
    await _drain(forwarder)
    assert _states(seeded) == ["forwarded"] * 7
    assert health.status(seeded._writer, NOW)["blocked"] == []
    store_a = [e["storeseq"] for e in hub.received if e["data"]["store_id"] == str(site.store_id)]
    assert store_a == [1, 2, 3, 4]


async def test_an_event_larger_than_the_gateways_own_ceiling_still_goes_alone(
    seeded: Database, site: Site
) -> None:
    await _receipt(seeded, site, site.store_id)
    await _large_receipt(seeded, site, site.store_id, 3000)
    await _receipt(seeded, site, site.store_id)
    hub = FakeHub(site.site_id, {site.store_id})
    uplink = FakeUplink(hub)
    await _drain(_forwarder(seeded, uplink, max_bytes=1024))
    assert uplink.batches == [1, 1, 1]
    assert [json.loads(json.dumps(e))["storeseq"] for e in hub.received] == [1, 2, 3]
