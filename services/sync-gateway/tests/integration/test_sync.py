"""Forwarding and pulling against a real SQLite file: order, batches, refusals, acks, resume."""

from __future__ import annotations

import asyncio
import gc
import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from akiba_contracts.payloads.edge import EdgeDocumentsApplied, EdgeEventRejected
from akiba_contracts.payloads.inventory import StockLevelChanged
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage, PushResponse
from akiba_platform.runtime import YOUNG_GC_THRESHOLD
from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.sync import feed
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.feed import Puller
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.sync.link import LinkDown
from akiba_sync_gateway.testing import FakeDownlink, FakeHub, FakeUplink

from ..hub import Central
from ..site import Site, seed

NOW = datetime.now(UTC)


async def _receipts(db: Database, site: Site, n: int) -> None:
    for i in range(n):
        cmd = ReceiveStock(site.store_id, site.item_id, f"L{i % 3}", None, 1, None, "clerk")
        await db.write(lambda c, cmd=cmd: handlers.receive_stock(Tx(c), site.site_id, cmd, NOW))


def _forwarder(db: Database, uplink: object, batch: int = 4, lanes: int = 1) -> Forwarder:
    backoff = Backoff(0.001, 0.001)
    return Forwarder(db, uplink, backoff, batch_size=batch, lanes=lanes, idle_seconds=0.001)  # type: ignore[arg-type]


async def _two_stores(db: Database, site: Site, each: int) -> None:
    """The site takes over its second store and records `each` receipts in both, interleaved."""
    both = site.site_changed().model_copy(update={"store_ids": [site.store_id, site.other_store]})
    (cursor,) = db._writer.execute("SELECT cursor FROM feed_cursor").fetchone()
    entry = FeedEntry(seq=cursor + 1, kind=FeedKind.SITE, key=str(site.site_id),
                      event_type=both.event_type, data=both.model_dump(mode="json"))  # fmt: skip
    handed = site.handed_over().model_copy(update={"store_id": site.other_store})
    ack = FeedEntry(seq=cursor + 2, kind=FeedKind.ACK, key=str(site.other_store),
                    event_type=handed.event_type, data=handed.model_dump(mode="json"))  # fmt: skip
    page = FeedPage(entries=[entry, ack], cursor=cursor + 2, more=False)
    me = str(site.site_id)
    await db.write(lambda c: feed.apply_page(c, after=cursor, page=page, now=NOW, site_id=me))
    for _ in range(each):
        for store in (site.store_id, site.other_store):
            cmd = ReceiveStock(store, site.item_id, "L", None, 1, None, "clerk")
            await db.write(lambda c, cmd=cmd: handlers.receive_stock(Tx(c), site.site_id, cmd, NOW))


class SlowUplink(FakeUplink):
    """Takes a moment per push, counting how many pushes are on the wire at once."""

    def __init__(self, hub: FakeHub, failing_store: str | None = None) -> None:
        super().__init__(hub)
        self.in_flight = self.most_in_flight = 0
        self.failing_store = failing_store

    async def push(self, events: list[bytes]) -> PushResponse:
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.02)
            if self.failing_store and self.failing_store.encode() in events[0]:
                raise LinkDown("this store's push was cut")
            return await super().push(events)
        finally:
            self.in_flight -= 1


async def _until(outcome: Callable[[], bool], deadline: float = 10.0) -> None:
    """Poll for an outcome until a deadline (a background task gets there in its own time)."""
    for _ in range(int(deadline / 0.01)):
        if outcome():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("no outcome before the deadline")


def _states(db: Database) -> list[str]:
    return [r[0] for r in db._writer.execute("SELECT state FROM outbox ORDER BY outbox_seq")]


async def test_pending_events_go_in_store_order_in_bounded_batches_and_become_forwarded(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 10)
    hub = FakeHub(site.site_id, {site.store_id})
    uplink = FakeUplink(hub)
    forwarder = _forwarder(seeded, uplink)
    while await forwarder.forward_once():
        pass
    assert uplink.batches == [4, 4, 2]
    assert [e["storeseq"] for e in hub.received] == list(range(1, 11))
    assert _states(seeded) == ["forwarded"] * 10


async def test_stores_push_side_by_side_each_in_its_own_order(seeded: Database, site: Site) -> None:
    await _two_stores(seeded, site, each=9)
    hub = FakeHub(site.site_id, {site.store_id, site.other_store})
    uplink = SlowUplink(hub)
    forwarder = _forwarder(seeded, uplink, batch=4, lanes=2)

    assert await forwarder.forward_once() == 8  # one round: two batches' worth per lane
    while await forwarder.forward_once():
        pass

    assert uplink.most_in_flight == 2
    for store in (site.store_id, site.other_store):
        sequences = [e["storeseq"] for e in hub.received if e["data"]["store_id"] == str(store)]
        assert sequences == list(range(1, 10))
    assert _states(seeded) == ["forwarded"] * 18


async def test_a_store_whose_push_fails_stops_there_while_the_other_store_settles(
    seeded: Database, site: Site
) -> None:
    await _two_stores(seeded, site, each=6)
    hub = FakeHub(site.site_id, {site.store_id, site.other_store})
    uplink = SlowUplink(hub, failing_store=str(site.other_store))
    forwarder = _forwarder(seeded, uplink, batch=2, lanes=2)

    with pytest.raises(LinkDown):
        await forwarder.forward_once()

    by_store = dict(
        seeded._writer.execute(
            "SELECT store_id, group_concat(state) FROM outbox GROUP BY store_id"
        ).fetchall()
    )
    # The round held two events of each store: the healthy store's went through.
    assert by_store[str(site.store_id)].split(",") == ["forwarded"] * 2 + ["pending"] * 4
    assert by_store[str(site.other_store)].split(",") == ["pending"] * 6
    uplink.failing_store = None
    while await forwarder.forward_once():
        pass
    other = [e["storeseq"] for e in hub.received if e["data"]["store_id"] == str(site.other_store)]
    assert other == list(range(1, 7))


async def test_a_refused_event_is_kept_as_an_error_and_never_resent(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 2)
    hub = FakeHub(site.site_id, set())  # central thinks the site manages nothing
    uplink = FakeUplink(hub)
    forwarder = _forwarder(seeded, uplink)
    assert await forwarder.forward_once() == 2
    assert await forwarder.forward_once() == 0
    assert _states(seeded) == ["refused", "refused"] and uplink.batches == [2]
    status = await seeded.read(lambda c: outbox.status(c, NOW))
    assert status["refused"] == 2 and status["last_errors"][0]["kind"] == "refused"


async def test_while_the_link_is_down_nothing_is_marked_and_forwarding_resumes_after(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 3)
    hub = FakeHub(site.site_id, {site.store_id})
    hub.down = True
    stop = asyncio.Event()
    task = asyncio.create_task(_forwarder(seeded, FakeUplink(hub)).run(stop))
    await _until(lambda: bool(seeded._writer.execute("SELECT 1 FROM sync_errors").fetchone()))
    assert _states(seeded) == ["pending"] * 3
    hub.down = False
    await _until(lambda: _states(seeded) == ["forwarded"] * 3)
    stop.set()
    await task
    assert [e["storeseq"] for e in hub.received] == [1, 2, 3]


async def test_a_new_forwarder_after_a_crash_sends_only_what_is_still_pending(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 6)
    hub = FakeHub(site.site_id, {site.store_id})
    await _forwarder(seeded, FakeUplink(hub), batch=4).forward_once()
    restarted = _forwarder(seeded, FakeUplink(hub), batch=4)
    while await restarted.forward_once():
        pass
    assert [e["storeseq"] for e in hub.received] == [1, 2, 3, 4, 5, 6]


async def test_the_http_link_forwards_and_pulls_through_an_in_process_hub(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 3)
    ack = EdgeDocumentsApplied(
        store_id=site.store_id, site_id=site.site_id, next_sequence=3, applied_at=NOW
    )
    entry = FeedEntry(
        seq=100, kind=FeedKind.ACK, key=str(site.store_id), event_type=ack.event_type,
        data=ack.model_dump(mode="json"),
    )  # fmt: skip
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([entry]))
    up, down, client = central.links()
    async with client:
        while await _forwarder(seeded, up).forward_once():
            pass
        await seeded.write(lambda c: c.execute("UPDATE feed_cursor SET cursor = 99"))
        assert await Puller(seeded, down, lambda: NOW).pull_once() == 1
    assert _states(seeded) == ["synced", "synced", "forwarded"]


async def test_pushed_requests_do_not_outlive_their_round_with_the_services_gc_settings(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 40)
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([]))
    up, _, client = central.links()
    before = gc.get_threshold()
    gc.set_threshold(YOUNG_GC_THRESHOLD, *before[1:])  # as runtime.tune_gc leaves a service
    try:
        async with client:
            forwarder = _forwarder(seeded, up, batch=2)
            while await forwarder.forward_once():
                live = sum(_is_push(o, site) for o in gc.get_objects())
                assert live <= 1  # the last round's, at most: not one per push so far
    finally:
        gc.set_threshold(*before)
    assert _states(seeded) == ["forwarded"] * 40


def _is_push(o: object, site: Site) -> bool:
    # Only this site's pushes: earlier tests' requests may wait in the oldest generation.
    return isinstance(o, httpx.Request) and o.url.path == f"/sites/{site.site_id}/events"


async def test_a_document_central_voided_leaves_the_sites_ledger_and_stock_as_centrals(
    seeded: Database, site: Site
) -> None:
    for quantity in (10, 5, 2):
        cmd = ReceiveStock(site.store_id, site.item_id, "L", None, quantity, None, "clerk")
        await seeded.write(lambda c, cmd=cmd: handlers.receive_stock(Tx(c), site.site_id, cmd, NOW))
    (voided,) = seeded._writer.execute(
        "SELECT event_id FROM outbox WHERE first_sequence = 2"
    ).fetchone()
    refusal = EdgeEventRejected(
        event_id=voided, event_type_received="t", site_id=str(site.site_id),
        store_id=site.store_id, store_sequence=2, reason="location unknown", rejected_at=NOW,
        voided=True,
    )  # fmt: skip
    entries = [_entry(50, FeedKind.REJECTION, voided, refusal)]
    await seeded.write(lambda c: c.execute("UPDATE feed_cursor SET cursor = 49"))

    await Puller(seeded, FakeDownlink(entries), lambda: NOW).pull_once()
    await Puller(seeded, FakeDownlink(entries), lambda: NOW).pull_once()  # a page seen twice

    ledger = seeded._writer.execute(
        "SELECT store_sequence, quantity, line_balance FROM ledger ORDER BY store_sequence"
    ).fetchall()
    assert [tuple(r) for r in ledger] == [(1, 10, 10), (3, 2, 12)]
    (on_hand,) = seeded._writer.execute("SELECT sum(quantity) FROM stock_on_hand").fetchone()
    assert on_hand == 12
    kept = seeded._writer.execute("SELECT store_sequence, refusal FROM voided_ledger").fetchall()
    assert [tuple(r) for r in kept] == [(2, "location unknown")]
    assert _states(seeded) == ["pending", "refused", "pending"]
    status = await seeded.read(lambda c: outbox.status(c, NOW))
    assert status["refused"] == 1 and status["not_forwarded"] == 2


def _entry(seq: int, kind: FeedKind, key: str, payload: object) -> FeedEntry:
    data = payload.model_dump(mode="json")  # type: ignore[attr-defined]
    return FeedEntry(seq=seq, kind=kind, key=key, event_type=None, data=data)


async def test_pulling_from_zero_seeds_a_new_site_and_commits_the_cursor_with_the_entries(
    db: Database, site: Site
) -> None:
    level = StockLevelChanged(
        store_id=site.store_id, item_id=site.item_id, batch_id=site.found, location_id=None,
        quantity_on_hand=40, last_movement_id=site.damaged, store_sequence=12, as_of=NOW,
    )  # fmt: skip
    entries = [*site.entries(), _entry(50, FeedKind.STOCK_LEVEL, "x", level)]
    pulled = await Puller(db, FakeDownlink(entries), lambda: NOW).pull_once(limit=3)
    assert pulled == len(entries)
    row = db._writer.execute("SELECT managed, next_sequence FROM stores WHERE store_id = ?",
                             (str(site.store_id),)).fetchone()  # fmt: skip
    assert tuple(row) == (1, 13)
    (cursor,) = db._writer.execute("SELECT cursor FROM feed_cursor").fetchone()
    assert cursor == 50
    assert await Puller(db, FakeDownlink(entries), lambda: NOW).pull_once() == 0


async def test_a_rejection_from_central_is_recorded_as_a_sync_error(
    db: Database, site: Site
) -> None:
    await seed(db, site)
    rejected = EdgeEventRejected(
        event_id="e-1", event_type_received="t", site_id=str(site.site_id), store_id=site.store_id,
        store_sequence=4, reason="gap never filled", rejected_at=NOW,
    )  # fmt: skip
    feed = FakeDownlink([_entry(len(site.entries()) + 1, FeedKind.REJECTION, "e-1", rejected)])
    await Puller(db, feed, lambda: NOW).pull_once()
    status = await db.read(lambda c: outbox.status(c, NOW))
    assert json.loads(json.dumps(status["last_errors"], default=str))[0]["message"] == (
        "gap never filled"
    )
