"""Each site's sync status through the real API: contacts, backlogs, refusals, who may read it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.payloads import EdgeEventRejected
from akiba_contracts.sync import BACKLOG_HEADER, OLDEST_UNFORWARDED_HEADER
from akiba_devtools.testing import wait_until

from .conftest import Hub, publish, site_changed, stock_document


async def _known(hub: Hub, site: UUID, *stores: UUID) -> None:
    """Auth publishes the site; the API's directory and the feed (feed_sites) both know it."""
    record = site_changed(site, *stores)
    hub.register(record)
    await publish(hub.bootstrap, record)
    await wait_until(lambda: _entry(hub, site), what=f"site {site} in the status")


def _admin(hub: Hub) -> str:
    return hub.issuer.user("SITES_MANAGE")[1]


async def _status(hub: Hub, token: str | None = None) -> Any:
    r = await hub.client.get(
        "/sites/sync-status", headers={"authorization": f"Bearer {token or _admin(hub)}"}
    )
    assert r.status_code == 200, r.text
    return r.json()


async def _entry(hub: Hub, site: UUID) -> dict[str, Any] | None:
    return next((e for e in await _status(hub) if e["site_id"] == str(site)), None)


def _report(backlog: int, oldest: datetime | None = None) -> dict[str, str]:
    headers = {BACKLOG_HEADER: str(backlog)}
    return headers | ({OLDEST_UNFORWARDED_HEADER: oldest.isoformat()} if oldest else {})


async def _push(hub: Hub, site: UUID, events: list[Any], headers: dict[str, str]) -> None:
    r = await hub.client.post(
        f"/sites/{site}/events",
        json=[e.model_dump(mode="json") for e in events],
        headers={"authorization": f"Bearer {hub.site_token(site)}"} | headers,
    )
    assert r.status_code == 200, r.text


async def _pull(hub: Hub, site: UUID, headers: dict[str, str]) -> None:
    r = await hub.client.get(
        f"/sites/{site}/feed", headers={"authorization": f"Bearer {hub.site_token(site)}"} | headers
    )
    assert r.status_code == 200, r.text


async def _written(hub: Hub, site: UUID) -> dict[str, Any] | None:
    """The site's row as PostgreSQL holds it now (the API not asked to flush first)."""
    async with hub.pool.acquire() as conn:
        row = await conn.fetchrow("select * from site_sync_status where site_id = $1", site)
    return None if row is None else dict(row)


def _moment(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def test_a_site_never_heard_from_is_listed_as_never(feed_of: Hub) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)

    entry = await _entry(hub, site)

    assert entry == {
        "site_id": str(site),
        "name": f"site {site.hex[:6]}",
        "store_ids": [str(store)],
        "active": True,
        "state": "never",
        "last_contact_at": None,
        "last_push_at": None,
        "last_pull_at": None,
        "backlog": None,
        "oldest_unsynced_at": None,
        "backlog_at": None,
        "refusals": 0,
        "last_refusal_at": None,
    }


async def test_a_push_with_a_backlog_report_is_the_sites_last_contact_and_its_backlog(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)
    oldest = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    before = datetime.now(UTC)

    await _push(hub, site, [stock_document(site, store)], _report(7, oldest))

    entry = await _entry(hub, site)
    assert entry is not None
    assert (entry["backlog"], _moment(entry["oldest_unsynced_at"])) == (7, oldest)
    assert entry["last_contact_at"] == entry["last_push_at"]
    assert _moment(entry["last_push_at"]) >= before  # type: ignore[operator]
    assert entry["last_pull_at"] is None
    assert entry["state"] == "behind"  # its oldest record waits longer than the default hour


async def test_contacts_are_written_within_a_second_of_the_answer_folded_into_one_row(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)

    await _push(hub, site, [stock_document(site, store)], _report(7, datetime.now(UTC)))
    await _pull(hub, site, _report(0))

    row = await wait_until(lambda: _written(hub, site), what="the contacts written", timeout=5)
    assert (row["backlog"], row["oldest_unsynced_at"]) == (0, None)
    assert row["last_contact_at"] == row["last_pull_at"] > row["last_push_at"]


async def test_contacts_that_could_not_be_written_are_kept_and_written_later(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)
    async with hub.pool.acquire() as conn:
        await conn.execute("alter table site_sync_status rename to site_sync_status_away")
    await _push(hub, site, [stock_document(site, store)], _report(4))
    await asyncio.sleep(1.5)  # a flush or more fails meanwhile

    async with hub.pool.acquire() as conn:
        await conn.execute("alter table site_sync_status_away rename to site_sync_status")

    row = await wait_until(lambda: _written(hub, site), what="the kept contact written", timeout=5)
    assert row["backlog"] == 4 and row["last_push_at"] is not None


async def test_a_pull_reporting_an_empty_backlog_makes_the_site_ok(feed_of: Hub) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)
    await _push(
        hub, site, [stock_document(site, store)], _report(7, datetime(2024, 1, 1, tzinfo=UTC))
    )

    await _pull(hub, site, _report(0))

    entry = await _entry(hub, site)
    assert entry is not None
    assert (entry["backlog"], entry["oldest_unsynced_at"], entry["state"]) == (0, None, "ok")
    assert entry["last_contact_at"] == entry["last_pull_at"]
    assert entry["last_push_at"] is not None


async def test_an_older_gateway_reporting_nothing_still_syncs_and_keeps_the_last_report(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)
    await _pull(hub, site, _report(3, datetime.now(UTC)))
    reported = await _entry(hub, site)

    await _push(hub, site, [stock_document(site, store)], {})

    entry = await _entry(hub, site)
    assert reported is not None and entry is not None
    assert (entry["backlog"], entry["backlog_at"]) == (3, reported["backlog_at"])
    assert entry["last_contact_at"] == entry["last_push_at"] > reported["last_contact_at"]


async def test_a_report_that_does_not_read_is_left_out_and_the_push_goes_through(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)

    await _push(hub, site, [stock_document(site, store)], {BACKLOG_HEADER: "lots"})

    entry = await _entry(hub, site)
    assert entry is not None
    assert (entry["state"], entry["backlog"]) == ("ok", None)


def _rejected(site: UUID | None, store: UUID, event_id: str | None = None) -> EdgeEventRejected:
    return EdgeEventRejected(
        event_id=event_id or str(uuid4()),
        event_type_received="org.akiba.sync-gateway.stock-document.recorded.v2",
        site_id=None if site is None else str(site),
        store_id=store,
        store_sequence=4,
        reason="the document does not apply",
        rejected_at=datetime.now(UTC),
        voided=True,
        kind="content",
    )


async def _refusals(hub: Hub, site: UUID, count: int) -> dict[str, Any] | None:
    entry = await _entry(hub, site)
    return entry if entry is not None and entry["refusals"] >= count else None


async def test_a_refusal_routed_to_the_sites_feed_counts_once_however_often_it_is_read(
    feed_of: Hub,
) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)
    refusal = _rejected(site, store)

    # The same refusal twice (a redelivery), then another: one partition, read in this order.
    await publish(hub.bootstrap, refusal, refusal, _rejected(site, store))

    entry = await wait_until(lambda: _refusals(hub, site, 2), what="two refusals counted")
    assert entry["refusals"] == 2
    assert entry["last_refusal_at"] is not None


async def test_a_refusal_of_a_store_counts_for_the_site_managing_it(feed_of: Hub) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)

    await publish(hub.bootstrap, _rejected(None, store))

    await wait_until(lambda: _refusals(hub, site, 1), what="the store's refusal counted")


async def test_a_push_refused_at_the_door_counts_its_refusals(feed_of: Hub) -> None:
    hub, site, store = feed_of, uuid4(), uuid4()
    await _known(hub, site, store)

    await _push(hub, site, [stock_document(site, uuid4()), stock_document(site, store)], {})

    entry = await _entry(hub, site)
    assert entry is not None and entry["refusals"] == 1


async def test_sites_managers_see_every_site_and_supervisors_the_sites_of_their_stores(
    feed_of: Hub,
) -> None:
    hub, (a, b), (store_a, store_b) = feed_of, (uuid4(), uuid4()), (uuid4(), uuid4())
    await _known(hub, a, store_a)
    await _known(hub, b, store_b)
    _, supervisor = hub.issuer.user(f"STOCK_CARDS_VIEW|{store_b}|{uuid4()}")
    _, elsewhere = hub.issuer.user(f"STOCK_CARDS_VIEW|{uuid4()}|{uuid4()}")

    assert {e["site_id"] for e in await _status(hub)} == {str(a), str(b)}
    assert [e["site_id"] for e in await _status(hub, supervisor)] == [str(b)]
    assert await _status(hub, elsewhere) == []


async def test_the_status_is_refused_without_a_right_to_it_and_to_sites(hub: Hub) -> None:
    site = uuid4()
    _, clerk = hub.issuer.user(f"STOCK_ADJUST|{uuid4()}|{uuid4()}")
    calls = [
        {},
        {"authorization": f"Bearer {clerk}"},
        {"authorization": f"Bearer {hub.site_token(site)}"},
    ]

    codes = [(await hub.client.get("/sites/sync-status", headers=h)).status_code for h in calls]

    assert codes == [401, 403, 403]
