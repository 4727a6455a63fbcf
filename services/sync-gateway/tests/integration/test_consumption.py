"""AMC and MOS of an item at a site, as its alerts use them (the twin of central's route)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from uuid import uuid4

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import Site, receipt, seed, sign_in


@pytest.fixture
async def clerk(db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The local API with a signed-in clerk of the site's store."""
    creds = site.credentials({"clerk": site.grant(Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW)})
    await seed(db, site, creds)
    app = create_app(Settings(site_id=site.site_id), db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://site") as c:
            c.headers["authorization"] = f"Bearer {await sign_in(c, 'clerk')}"
            yield c


async def test_amc_is_the_windows_consumption_over_three_months_and_mos_follows(
    clerk: httpx.AsyncClient, site: Site
) -> None:
    store = site.store_id
    got = await clerk.post(f"/stores/{store}/receipts", json=receipt(site, 100))
    assert got.status_code == 201, got.text
    line = {"item_id": str(site.item_id), "batch_id": got.json()["batch_id"], "quantity": 30}
    issued = await clerk.post(f"/stores/{store}/issues", json={"lines": [line]})
    assert issued.status_code == 201, issued.text

    r = await clerk.get(f"/stores/{store}/items/{site.item_id}/consumption")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["consumed"], body["stock_on_hand"], body["stockout_days"]) == (30, 70, 0)
    assert Decimal(body["amc"]) == Decimal(10)
    assert Decimal(body["months_of_stock"]) == Decimal(7)


async def test_an_item_never_moved_has_no_amc_and_an_unknown_one_is_not_found(
    clerk: httpx.AsyncClient, site: Site
) -> None:
    quiet = await clerk.get(f"/stores/{site.store_id}/items/{site.item_id}/consumption")
    assert quiet.status_code == 200
    # Nothing consumed: AMC is zero and MOS is unknown (no consumption to divide by).
    assert Decimal(quiet.json()["amc"]) == 0 and quiet.json()["months_of_stock"] is None
    unknown = await clerk.get(f"/stores/{site.store_id}/items/{uuid4()}/consumption")
    assert unknown.status_code == 404
