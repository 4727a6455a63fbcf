"""Each push and pull tells the hub the site's backlog, read from the outbox as it stands."""

from __future__ import annotations

from datetime import UTC, datetime

from akiba_contracts.sync import BACKLOG_HEADER, OLDEST_UNFORWARDED_HEADER
from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import Tx
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.feed import Puller
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.testing import FakeDownlink, FakeHub

from ..hub import Central
from ..site import Site

RECORDED = datetime(2024, 3, 1, 8, 30, tzinfo=UTC)


async def _receipts(db: Database, site: Site, n: int) -> None:
    for i in range(n):
        cmd = ReceiveStock(site.store_id, site.item_id, f"L{i}", None, 1, None, "clerk")
        await db.write(
            lambda c, cmd=cmd: handlers.receive_stock(Tx(c), site.site_id, cmd, RECORDED)
        )


def _reported(headers: dict[str, str]) -> tuple[str | None, str | None]:
    return headers.get(BACKLOG_HEADER.lower()), headers.get(OLDEST_UNFORWARDED_HEADER.lower())


async def test_the_backlog_is_what_is_pending_and_when_the_oldest_of_it_was_recorded(
    seeded: Database, site: Site
) -> None:
    assert await seeded.read(outbox.backlog) == outbox.Backlog(0, None)
    await _receipts(seeded, site, 3)
    assert await seeded.read(outbox.backlog) == outbox.Backlog(3, RECORDED)


async def test_each_push_reports_the_backlog_before_it_and_a_pull_after_reports_none_left(
    seeded: Database, site: Site
) -> None:
    await _receipts(seeded, site, 3)
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([]))

    async def backlog() -> outbox.Backlog:
        return await seeded.read(outbox.backlog)

    up, down, client = central.links(backlog)
    forwarder = Forwarder(seeded, up, Backoff(0.001, 0.001), batch_size=2, idle_seconds=0.001)
    async with client:
        while await forwarder.forward_once():
            pass
        await Puller(seeded, down, lambda: RECORDED).pull_once()
    oldest = RECORDED.isoformat()
    assert [_reported(h) for h in central.pushed_headers] == [("3", oldest), ("1", oldest)]
    assert [_reported(h) for h in central.pulled_headers] == [("0", None)]


async def test_a_link_given_no_backlog_reader_sends_no_report(seeded: Database, site: Site) -> None:
    await _receipts(seeded, site, 1)
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([]))
    up, _, client = central.links()
    async with client:
        await Forwarder(
            seeded, up, Backoff(0.001, 0.001), batch_size=2, idle_seconds=0.001
        ).forward_once()
    assert [_reported(h) for h in central.pushed_headers] == [(None, None)]
