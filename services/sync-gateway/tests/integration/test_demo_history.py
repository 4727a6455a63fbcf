"""The demo site's history: recorded once, through the gateway's own recording code, only
once its stores are handed over."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from akiba_sync_gateway import demo_history
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.sync import feed

from ..site import NOW, Site
from .test_requisitions import setup  # noqa: F401 (the fixture a site ready for requisitions)


@pytest.fixture
def site() -> Site:
    """A site whose program is the demo's essential medicines."""
    return Site(program_id=demo_history.PROGRAM)


@pytest.mark.usefixtures("setup")
async def test_the_demo_history_is_recorded_once_and_never_overdraws(
    site: Site, db: Database
) -> None:
    now = datetime(2026, 7, 15, 12, tzinfo=UTC)
    recorded = await db.write(lambda c: demo_history.seed(c, site.site_id, now))
    assert recorded > 30  # four monthly deliveries and issues most days
    assert await db.write(lambda c: demo_history.seed(c, site.site_id, now)) == 0
    by_kind = "SELECT movement_type, count(*) FROM ledger GROUP BY movement_type"
    kinds = dict(db._writer.execute(by_kind).fetchall())
    assert kinds["receipt"] == 4 and kinds["issue"] == recorded - 4
    (lowest,) = db._writer.execute("SELECT min(line_balance) FROM ledger").fetchone()
    assert lowest >= 0
    pending = db._writer.execute("SELECT count(*) FROM outbox WHERE state = 'pending'")
    assert pending.fetchone()[0] == recorded  # each one a document on its way to central


async def test_nothing_is_recorded_before_central_hands_the_store_over(db: Database) -> None:
    site = Site(program_id=demo_history.PROGRAM)
    entries = [e for e in site.entries() if e.kind.value != "ack"]
    page = feed.FeedPage(entries=entries, cursor=len(entries), more=False)
    await db.write(lambda c: feed.apply_page(c, after=0, page=page, now=NOW))
    assert await db.write(lambda c: demo_history.seed(c, site.site_id, NOW)) == 0
