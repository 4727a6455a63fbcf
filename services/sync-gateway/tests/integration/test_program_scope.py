"""At the site as centrally: a right held for some programs covers only their items."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import httpx
import pytest

from akiba_contracts.payloads.reference import OrderableChanged
from akiba_contracts.rights import Right
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import feed

from ..site import Site, seed, sign_in

RIGHTS = (Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW, Right.STOCK_INVENTORIES_EDIT)


def _item(item_id: UUID, programs: list[UUID]) -> OrderableChanged:
    return OrderableChanged(
        item_id=item_id, code=f"I-{item_id.hex[:6]}", name="Depo-Provera",
        dispensing_unit="vial", net_content=1, pack_rounding_threshold=0, round_to_zero=False,
        vvm=False, cold_chain=False, active=True, version=1, changed_at=datetime.now(UTC),
        program_ids=programs,
    )  # fmt: skip


class Items:
    """An item of the clerk's program and one of another program, from the feed."""

    def __init__(self, site: Site) -> None:
        self.mine, self.other = uuid.uuid4(), uuid.uuid4()
        self.entries = [
            FeedEntry(seq=100 + i, kind=FeedKind.ORDERABLE, key=str(item),
                      event_type=OrderableChanged.event_type,
                      data=_item(item, programs).model_dump(mode="json"))
            for i, (item, programs) in enumerate(
                [(self.mine, [site.program_id]), (self.other, [uuid.uuid4()])]
            )
        ]  # fmt: skip


@pytest.fixture
async def gateway(db: Database, site: Site) -> AsyncIterator[tuple[httpx.AsyncClient, Items]]:
    scoped = site.grant(*RIGHTS)
    unscoped = [f"{r}|{site.store_id}" for r in RIGHTS]
    await seed(db, site, site.credentials({"clerk": scoped, "keeper": unscoped}))
    items = Items(site)
    cursor = len(site.entries())
    page = FeedPage(entries=items.entries, cursor=cursor + 2, more=False)
    await db.write(lambda c: feed.apply_page(c, after=cursor, page=page, now=datetime.now(UTC)))
    app = create_app(Settings(site_id=site.site_id), db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c, items


async def _as(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    return {"authorization": f"Bearer {await sign_in(client, username)}"}


def _receipt(item: UUID) -> dict[str, Any]:
    return {"item_id": str(item), "lot_code": "L1", "quantity": 5}


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 403, r.text
    assert "programs your right at this store does not cover" in r.json()["detail"]


async def test_a_scoped_clerk_records_and_reads_only_their_programs_items(
    gateway: tuple[httpx.AsyncClient, Items], site: Site
) -> None:
    client, items = gateway
    clerk = await _as(client, "clerk")
    base = f"/stores/{site.store_id}"
    r = await client.post(f"{base}/receipts", json=_receipt(items.mine), headers=clerk)
    assert r.status_code == 201, r.text
    assert (await client.post(f"{base}/receipts", json=_receipt(site.item_id),
                              headers=clerk)).status_code == 201  # fmt: skip
    _refused(await client.post(f"{base}/receipts", json=_receipt(items.other), headers=clerk))
    keeper = await _as(client, "keeper")
    r = await client.post(f"{base}/receipts", json=_receipt(items.other), headers=keeper)
    assert r.status_code == 201, r.text
    batch = r.json()["batch_id"]
    line = {"item_id": str(items.other), "batch_id": batch, "quantity": 1}
    _refused(await client.post(f"{base}/issues", json={"lines": [line]}, headers=clerk))
    _refused(await client.get(f"{base}/items/{items.other}/stock-card", headers=clerk))
    soh = await client.get(f"{base}/stock-on-hand", params={"item_id": str(items.other)},
                           headers=clerk)  # fmt: skip
    _refused(soh)
    body = {"item_ids": [str(items.other)]}
    _refused(await client.post(f"{base}/stocktakes", json=body, headers=clerk))
    r = await client.get(f"{base}/items/{items.other}/stock-card", headers=keeper)
    assert r.status_code == 200 and r.json()["total"] == 1
