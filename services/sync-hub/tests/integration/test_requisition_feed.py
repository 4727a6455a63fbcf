"""Requisition's records on the site feed, built from the real topics and pulled through the API."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.envelope import new_event
from akiba_devtools.testing import wait_until
from akiba_sync_hub.adapters.feed import AsyncpgFeedRepository
from akiba_sync_hub.consumers import change_of

from .. import requisition_records as rec
from .conftest import Hub, publish, site_changed


async def test_requisition_records_reach_the_site_in_the_scope_they_belong_to(
    feed_of: Hub,
) -> None:
    hub, site, store, program, requisition = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    isa = rec.ideal_stock_amount(store)
    refusal = rec.step_refused(str(site), store, str(uuid4()))
    await publish(
        hub.bootstrap,
        site_changed(site, store),
        rec.program(program),
        isa,
        rec.status(requisition, store, "SUBMITTED", 2),
        rec.status(requisition, store, "APPROVED", 5),
        refusal,
    )
    wanted = {
        ("program", str(program)),
        ("ideal-stock-amount", isa.partition_key()),
        ("requisition", str(requisition)),
        ("requisition-refusal", refusal.event_id),
    }

    async def arrived() -> dict[str, Any]:
        entries, _ = await hub.pull_all(site, limit=500)
        found = {e["kind"]: e for e in entries if (e["kind"], e["key"]) in wanted}
        approved = found.get("requisition", {}).get("data", {}).get("status") == "APPROVED"
        return found if len(found) == len(wanted) and approved else {}

    found = await wait_until(arrived, what="requisition's records in the site's feed")
    assert found["requisition"]["data"]["lines"][0]["approved"] == 8
    scopes = await _scopes(hub, [(k, key) for k, key in wanted])
    assert scopes == {
        "program": "global",
        "ideal-stock-amount": f"store:{store}",
        "requisition": f"store:{store}",
        "requisition-refusal": f"site:{site}",
    }


async def test_a_site_does_not_see_the_requisitions_of_another_sites_stores(
    feed_of: Hub,
) -> None:
    hub, site, other, own, theirs = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    mine, not_mine = uuid4(), uuid4()
    await publish(
        hub.bootstrap,
        site_changed(site, own),
        site_changed(other, theirs),
        rec.status(not_mine, theirs, "APPROVED", 3),
        rec.status(mine, own, "REJECTED", 4),
    )

    await wait_until(lambda: _keys(hub, other, not_mine), what="the other site's requisition")
    await wait_until(lambda: _keys(hub, site, mine), what="the site's own requisition")

    assert await _keys(hub, site, not_mine) == []


async def test_a_requisition_deleted_centrally_stays_a_row_the_site_hears(feed_of: Hub) -> None:
    hub, site, store, requisition = feed_of, uuid4(), uuid4(), uuid4()
    await publish(
        hub.bootstrap,
        site_changed(site, store),
        rec.status(requisition, store, "INITIATED", 1),
        rec.status(requisition, store, "DELETED", 2),
    )

    async def deleted() -> list[Any]:
        entries = await _keys(hub, site, requisition)
        return [e for e in entries if e["data"]["status"] == "DELETED"]

    found = await wait_until(deleted, what="the deletion in the site's feed")
    assert found[0]["data"]["lines"] is None


async def test_an_older_requisition_record_read_again_leaves_the_newer_row_and_its_seq(
    hub: Hub,
) -> None:
    store, requisition = uuid4(), uuid4()
    approved = _change(rec.status(requisition, store, "APPROVED", 5))
    replayed = _change(rec.status(requisition, store, "IN_APPROVAL", 4))
    deleted = _change(rec.status(requisition, store, "DELETED", 6))

    await _upsert(hub, approved)
    before = await _row(hub, requisition)
    await _upsert(hub, replayed)
    after_replay = await _row(hub, requisition)
    await _upsert(hub, deleted)

    assert after_replay == before
    assert (before["status"], before["version"]) == ("APPROVED", 5)
    assert (await _row(hub, requisition))["status"] == "DELETED"


def _change(payload: Any) -> Any:
    key = payload.partition_key()
    event = new_event(
        source="/t", type=payload.event_type, subject=key, data=payload, partitionkey=key
    )
    return change_of(event)


async def _upsert(hub: Hub, change: Any) -> None:
    async with hub.pool.acquire() as conn, conn.transaction():
        await AsyncpgFeedRepository(conn).upsert([change])


async def _row(hub: Hub, requisition: UUID) -> dict[str, Any]:
    r = await hub.pool.fetchrow(
        "select seq, version, data->>'status' as status from site_feed"
        " where kind = 'requisition' and key = $1",
        str(requisition),
    )
    assert r is not None
    return dict(r)


async def _keys(hub: Hub, site: UUID, key: UUID) -> list[Any]:
    entries, _ = await hub.pull_all(site, limit=500)
    return [e for e in entries if e["key"] == str(key)]


async def _scopes(hub: Hub, rows: list[tuple[str, str]]) -> dict[str, str]:
    found = await hub.pool.fetch(
        "select kind, scope from site_feed where (kind, key) in"
        " (select * from unnest($1::text[], $2::text[]))",
        [k for k, _ in rows],
        [key for _, key in rows],
    )
    return {r["kind"]: r["scope"] for r in found}
