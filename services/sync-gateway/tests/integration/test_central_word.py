"""What central says back decides an event's fate here, and never marks unsent work synced.

A store is written only once central handed it over (an acknowledgement naming this site);
an acknowledgement syncs only what was forwarded; a refusal that is not a void (a conflict,
a store no longer this site's) leaves the event refused, whatever an acknowledgement said.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest

from akiba_contracts.payloads.edge import EdgeDocumentsApplied, EdgeEventRejected, EdgeRefusal
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage
from akiba_stock.commands import ReceiveStock
from akiba_sync_gateway import handlers
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.store import StoreNotReady, Tx
from akiba_sync_gateway.sync import feed
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.testing import FakeHub, FakeUplink

from ..site import Site, receipt

NOW = datetime.now(UTC)


async def _feed(db: Database, site: Site, *entries: tuple[FeedKind, str, Any]) -> None:
    (cursor,) = db._writer.execute("SELECT cursor FROM feed_cursor").fetchone()
    page = FeedPage(
        entries=[
            FeedEntry(
                seq=cursor + i, kind=k, key=key, event_type=p.event_type,
                data=p.model_dump(mode="json"),
            )
            for i, (k, key, p) in enumerate(entries, start=1)
        ],
        cursor=cursor + len(entries),
        more=False,
    )  # fmt: skip
    me = str(site.site_id)
    await db.write(lambda c: feed.apply_page(c, after=cursor, page=page, now=NOW, site_id=me))


async def _receipt(db: Database, site: Site) -> None:
    cmd = ReceiveStock(site.store_id, site.item_id, "L", None, 1, None, "clerk")
    await db.write(lambda c: handlers.receive_stock(Tx(c), site.site_id, cmd, NOW))


def _outbox(db: Database) -> list[tuple[Any, ...]]:
    rows = db._writer.execute(
        "SELECT first_sequence, state, refusal FROM outbox ORDER BY outbox_seq"
    ).fetchall()
    return [tuple(r) for r in rows]


def _ack(site: Site, next_sequence: int, site_id: Any = None) -> tuple[FeedKind, str, Any]:
    payload = EdgeDocumentsApplied(
        store_id=site.store_id, site_id=site_id or site.site_id, next_sequence=next_sequence,
        applied_at=NOW,
    )  # fmt: skip
    return (FeedKind.ACK, str(site.store_id), payload)


def _refused(site: Site, event_id: str, kind: EdgeRefusal) -> tuple[FeedKind, str, Any]:
    payload = EdgeEventRejected(
        event_id=event_id, event_type_received="t", site_id=str(site.site_id),
        store_id=site.store_id, store_sequence=1, reason=f"refused: {kind}", rejected_at=NOW,
        kind=kind,
    )  # fmt: skip
    return (FeedKind.REJECTION, event_id, payload)


async def _forward(db: Database, site: Site) -> None:
    hub = FakeHub(site.site_id, {site.store_id})
    forwarder = Forwarder(db, FakeUplink(hub), Backoff(0.001, 0.001), batch_size=10, idle_seconds=0)
    while await forwarder.forward_once():
        pass


async def test_an_acknowledgement_never_syncs_an_event_that_was_not_forwarded(
    seeded: Database, site: Site
) -> None:
    await _receipt(seeded, site)  # a gateway restored from a backup numbers it 1 again
    await _feed(seeded, site, _ack(site, 51))  # central's ledger of the store runs to 50

    assert _outbox(seeded) == [(1, "pending", None)]
    await _forward(seeded, site)
    await _receipt(seeded, site)
    assert [r[0] for r in _outbox(seeded)] == [1, 51]  # numbering goes on after central's


async def test_a_conflict_leaves_the_event_refused_even_after_an_acknowledgement_synced_it(
    seeded: Database, site: Site
) -> None:
    await _receipt(seeded, site)
    await _forward(seeded, site)
    event_id = seeded._writer.execute("SELECT event_id FROM outbox").fetchone()[0]
    await _feed(seeded, site, _ack(site, 2))  # another document's ack covers its sequence
    assert _outbox(seeded) == [(1, "synced", None)]

    await _feed(seeded, site, _refused(site, event_id, EdgeRefusal.CONFLICT))

    assert _outbox(seeded) == [(1, "refused", "conflict")]
    status = await seeded.read(lambda c: outbox.status(c, NOW))
    assert status["conflicts"] == 1 and status["refused_by_kind"] == {"conflict": 1}
    assert await seeded.read(lambda c: outbox.pending(c, 0, 10)) == []  # never sent again
    ledger = seeded._writer.execute("SELECT count(*) FROM ledger").fetchone()[0]
    assert ledger == 1  # it happened here: the difference is reported, not hidden


async def test_an_acknowledgement_read_before_the_push_answer_still_syncs_the_event(
    seeded: Database, site: Site
) -> None:
    await _receipt(seeded, site)
    await _feed(seeded, site, _ack(site, 2))  # the answer is written after the ack is read
    assert _outbox(seeded) == [(1, "pending", None)]
    await _forward(seeded, site)
    assert _outbox(seeded) == [(1, "synced", None)]


async def test_a_store_is_written_only_once_central_has_handed_it_over_to_this_site(
    seeded: Database, site: Site
) -> None:
    gained = site.site_changed().model_copy(
        update={"store_ids": [site.store_id, site.other_store], "version": 8}
    )
    await _feed(seeded, site, (FeedKind.SITE, str(site.site_id), gained))
    cmd = ReceiveStock(site.other_store, site.item_id, "L", None, 5, None, "clerk")

    def record(c: Any) -> Any:
        return handlers.receive_stock(Tx(c), site.site_id, cmd, NOW)

    with pytest.raises(StoreNotReady, match="has not yet said"):
        await seeded.write(record)
    status = await seeded.read(lambda c: outbox.status(c, NOW))
    assert status["stores_awaiting_handover"] == [str(site.other_store)]
    handed = site.handed_over(31).model_copy(update={"store_id": site.other_store})
    await _feed(seeded, site, (FeedKind.ACK, str(site.other_store), handed))
    assert (await seeded.write(record)).store_sequence == 31


async def test_an_acknowledgement_naming_another_site_takes_the_store_out_of_its_hands(
    client: httpx.AsyncClient, clerk: dict[str, str], seeded: Database, site: Site
) -> None:
    await _feed(seeded, site, _ack(site, 9, site_id=uuid4()))
    r = await client.post(f"/stores/{site.store_id}/receipts", json=receipt(site, 1), headers=clerk)
    assert r.status_code == 409 and r.json()["title"] == "Store not ready"


async def test_every_event_carries_the_version_of_the_site_record_it_was_recorded_under(
    seeded: Database, site: Site
) -> None:
    newer = site.site_changed().model_copy(update={"version": 12})
    await _feed(seeded, site, (FeedKind.SITE, str(site.site_id), newer))
    await _receipt(seeded, site)
    body = seeded._writer.execute("SELECT body FROM outbox_body").fetchone()[0]
    event = json.loads(body)
    assert event["siteversion"] == 12
    assert event["type"].endswith(".recorded.v2")
