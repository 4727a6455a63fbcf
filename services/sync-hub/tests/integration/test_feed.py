"""The site feed built from the real topics, pulled through the API."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_contracts.payloads import (
    EdgeDocumentsApplied,
    EdgeEventRejected,
    OrderableChanged,
    StockLevelChanged,
)
from akiba_devtools.testing import wait_until

from .conftest import Hub, publish, site_changed


def orderable(item_id: UUID, name: str) -> OrderableChanged:
    """An item record as inventory publishes it."""
    return OrderableChanged.model_validate(
        {
            "item_id": item_id,
            "code": f"I-{item_id.hex[:8]}",
            "name": name,
            "dispensing_unit": "tablet",
            "net_content": 10,
            "pack_rounding_threshold": 5,
            "round_to_zero": False,
            "vvm": False,
            "cold_chain": False,
            "active": True,
            "version": 1,
            "changed_at": datetime.now(UTC),
        }
    )


def level(store_id: UUID, item_id: UUID, quantity: int) -> StockLevelChanged:
    """A stock line's level as inventory publishes it."""
    return StockLevelChanged.model_validate(
        {
            "store_id": store_id,
            "item_id": item_id,
            "batch_id": None,
            "location_id": None,
            "quantity_on_hand": quantity,
            "last_movement_id": uuid4(),
            "store_sequence": 1,
            "as_of": datetime.now(UTC),
        }
    )


def mine(entries: list[Any], *keys: object) -> list[Any]:
    """The entries about these keys (the feed holds other tests' global records too)."""
    wanted = {str(k) for k in keys}
    return [e for e in entries if wanted & {e["key"], *e["key"].split(":")}]


async def test_a_new_site_from_cursor_zero_gets_the_latest_value_of_each_key_of_its_scope(
    feed_of: Hub,
) -> None:
    hub, site, store, elsewhere, item = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    await publish(
        hub.bootstrap,
        site_changed(site, store),
        orderable(item, "first name"),
        orderable(item, "current name"),
        level(store, item, 5),
        level(store, item, 8),
        level(elsewhere, item, 99),
        EdgeDocumentsApplied(
            store_id=store, site_id=site, next_sequence=12, applied_at=datetime.now(UTC)
        ),
    )

    async def snapshot() -> list[Any]:
        entries, _ = await hub.pull_all(site)
        found = mine(entries, site, item, store, elsewhere)
        return found if len(found) >= 4 and _quantities(found) == [8] else []

    found = await wait_until(snapshot, what="the site's snapshot")
    by_kind = {e["kind"]: e for e in found}
    assert sorted(e["kind"] for e in found) == ["ack", "orderable", "site", "stock-level"]
    assert by_kind["orderable"]["data"]["name"] == "current name"
    assert by_kind["ack"]["data"]["next_sequence"] == 12
    assert by_kind["site"]["data"]["store_ids"] == [str(store)]
    assert [e["seq"] for e in found] == sorted(e["seq"] for e in found)


async def test_a_pull_resumes_after_its_cursor_with_only_what_changed(feed_of: Hub) -> None:
    hub, site, store, item, later = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    await publish(hub.bootstrap, site_changed(site, store), level(store, item, 3))
    await wait_until(
        lambda: _has(hub, site, 0, store), what="the first stock level in the site's feed"
    )
    _, cursor = await hub.pull_all(site)

    await publish(hub.bootstrap, level(store, later, 4))
    entries = await wait_until(lambda: _has(hub, site, cursor, later), what="the new level")

    assert mine(entries, item) == []
    assert all(e["seq"] > cursor for e in entries)


async def test_a_store_added_to_a_site_reaches_it_although_its_cursor_is_past_the_stores_rows(
    feed_of: Hub,
) -> None:
    hub, site, first, added, item = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    await publish(hub.bootstrap, site_changed(site, first), level(added, item, 40))
    other_site = uuid4()
    await publish(hub.bootstrap, site_changed(other_site, added))
    await wait_until(lambda: _has(hub, other_site, 0, added), what="the store's level in the feed")
    entries, cursor = await hub.pull_all(site)
    assert mine(entries, added) == []

    await publish(hub.bootstrap, site_changed(site, first, added))
    entries = await wait_until(lambda: _has(hub, site, cursor, added), what="the gained store")

    assert [e["data"]["quantity_on_hand"] for e in mine(entries, added)] == [40]


async def test_a_site_that_loses_a_store_learns_it_from_its_site_entry_and_stops_seeing_it(
    feed_of: Hub,
) -> None:
    hub, site, kept, lost, item = feed_of, uuid4(), uuid4(), uuid4(), uuid4()
    await publish(hub.bootstrap, site_changed(site, kept, lost), level(lost, item, 1))
    await wait_until(lambda: _has(hub, site, 0, lost), what="the store's level in the feed")
    _, cursor = await hub.pull_all(site)

    await publish(hub.bootstrap, site_changed(site, kept))

    async def site_entry() -> list[Any]:
        entries, _ = await hub.pull_all(site, cursor)
        return [e for e in mine(entries, site) if e["data"]["store_ids"] == [str(kept)]]

    await wait_until(site_entry, what="the site entry without the lost store")
    await publish(hub.bootstrap, level(lost, item, 2))

    async def recorded() -> bool:
        quantity = await hub.pool.fetchval(
            "select data->>'quantity_on_hand' from site_feed where scope = $1", f"store:{lost}"
        )
        return quantity == "2"

    await wait_until(recorded, what="the lost store's new level in the feed")
    everything, _ = await hub.pull_all(site)
    assert mine(everything, lost) == []


async def _has(hub: Hub, site: UUID, after: int, key: UUID) -> list[Any]:
    entries, _ = await hub.pull_all(site, after)
    return entries if mine(entries, key) else []


def _quantities(entries: list[Any]) -> list[int]:
    return [e["data"]["quantity_on_hand"] for e in entries if e["kind"] == "stock-level"]


async def test_a_refusal_reaches_the_site_that_sent_it_even_for_a_store_it_no_longer_writes(
    feed_of: Hub,
) -> None:
    hub, site, lost = feed_of, uuid4(), uuid4()
    await publish(hub.bootstrap, site_changed(site))  # it gave the store up
    event_id = str(uuid4())
    refusal = EdgeEventRejected(
        event_id=event_id,
        event_type_received="org.akiba.sync-gateway.stock-document.recorded.v2",
        site_id=str(site),
        store_id=lost,
        store_sequence=9,
        reason=f"site {site} does not write store {lost} (central does)",
        rejected_at=datetime.now(UTC),
        kind="authorization",
    )
    await publish(hub.bootstrap, refusal)

    async def arrived() -> list[Any]:
        entries, _ = await hub.pull_all(site)
        return [e for e in entries if e["kind"] == "rejection" and e["key"] == event_id]

    found = await wait_until(arrived, what="the refusal in the site's feed")
    assert found[0]["data"]["kind"] == "authorization"
