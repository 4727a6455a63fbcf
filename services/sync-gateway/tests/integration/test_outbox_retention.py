"""A synced event's body is forgotten once past the retention; its row, and every event central
has not applied, keep what they hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from akiba_contracts.sync import PushResponse
from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database, connect, migrate
from akiba_sync_gateway.api.app import open_authority
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import retention
from akiba_sync_gateway.testing import FakeDownlink, FakeHub

from ..hub import Central
from ..site import Site
from .test_loops import _running
from .test_sync import _receipts, _until

NOW = datetime.now(UTC)
LONG_AGO = NOW - timedelta(days=10)


def _outbox(db: Database) -> list[tuple[int, str, bool]]:
    """Each event's store sequence, state, and whether its body is still kept."""
    rows = db._writer.execute(
        "SELECT first_sequence, state, b.outbox_seq IS NOT NULL FROM outbox"
        " LEFT JOIN outbox_body b USING (outbox_seq) ORDER BY outbox_seq"
    ).fetchall()
    return [(r[0], r[1], bool(r[2])) for r in rows]


async def _six_events_in_every_state(db: Database, site: Site) -> None:
    """Sequences 1-3 synced ten days ago, 4 synced now, 5 refused, 6 pending."""
    await _receipts(db, site, 6)
    sent = await db.read(lambda c: outbox.pending(c, 0, 5))
    answer = PushResponse(accepted=[p.event_id for p in sent])
    await db.write(lambda c: outbox.settle(c, sent, answer, LONG_AGO))
    await db.write(lambda c: outbox.acknowledge(c, site.store_id, 4, LONG_AGO))
    await db.write(lambda c: outbox.acknowledge(c, site.store_id, 5, NOW))
    await db.write(lambda c: outbox.refuse(c, sent[4].event_id, "conflict", "taken"))


async def test_only_bodies_synced_before_the_retention_are_forgotten_and_every_row_stays(
    seeded: Database, site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _six_events_in_every_state(seeded, site)
    monkeypatch.setattr(retention, "CHUNK", 2)  # a pass of several writes

    assert await retention.forget_synced_bodies(seeded, NOW - timedelta(days=7)) == 3

    assert _outbox(seeded) == [
        (1, "synced", False), (2, "synced", False), (3, "synced", False),
        (4, "synced", True), (5, "refused", True), (6, "pending", True),
    ]  # fmt: skip
    (waiting,) = await seeded.read(lambda c: outbox.pending(c, 0, 10))
    assert waiting.first_sequence == 6 and b'"storeseq":6' in waiting.body
    assert await retention.forget_synced_bodies(seeded, NOW - timedelta(days=7)) == 0


async def test_the_pull_loop_forgets_old_bodies_as_it_runs(seeded: Database, site: Site) -> None:
    await _six_events_in_every_state(seeded, site)
    creds = site.credentials({"clerk": site.grant("STOCK_ADJUST")})
    central = Central(FakeHub(site.site_id, {site.store_id}), FakeDownlink([], creds))
    _, down, client = central.links()
    settings = Settings(
        site_id=site.site_id, pull_interval_seconds=0.01, synced_body_days=7,
        synced_body_purge_every_seconds=0.01,
    )  # fmt: skip
    authority = await open_authority(seeded, settings, lambda: NOW)
    work = lambda stop: bootstrap.sync_down(stop, settings, seeded, down, authority)  # noqa: E731
    async with client, _running(work):
        await _until(lambda: [kept for *_, kept in _outbox(seeded)] == [False] * 3 + [True] * 3)


def test_a_body_is_deleted_with_its_row() -> None:
    conn = connect(":memory:")
    migrate(conn)
    conn.execute(
        "INSERT INTO outbox (event_id, store_id, first_sequence, line_count, created_at)"
        " VALUES ('e1', 's', 1, 1, 'now')"
    )
    conn.execute("INSERT INTO outbox_body (outbox_seq, body) VALUES (1, x'7b7d')")
    conn.execute("DELETE FROM outbox")
    assert conn.execute("SELECT count(*) FROM outbox_body").fetchone()[0] == 0
