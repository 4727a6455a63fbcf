"""Stock on hand searched and filtered at the site, meaning what central's filters mean."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

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

RIGHTS = (Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW)
# (lot, item, expiry, shelf, quantity): listed by item code, then first expiry.
LINES = [
    ("L-A1", "amx", "2027-01-31", "shelf_a", 10),
    ("L-A2", "amx", "2031-06-30", "shelf_b", 5),
    ("L-A3", "amx", "2031-12-31", "shelf_a", 4),  # issued to zero below
    ("O-1", "ors", "2029-06-30", None, 2),
    ("p-9", "pcm", "2028-03-31", "shelf_a", 7),
    ("P-10", "pcm", None, "shelf_b", 3),
]
NON_EMPTY = ["L-A1", "L-A2", "O-1", "p-9", "P-10"]
IDS = {"item_id", "location_id", "program_id"}


class Store:
    """The site's store with three items from the feed (two under programs) and LINES."""

    def __init__(self, site: Site, client: httpx.AsyncClient) -> None:
        self.site, self.client, self.headers = site, client, {}
        self.ids = {name: uuid4() for name in ("amx", "pcm", "ors", "fp")}
        self.ids |= {"epi": site.program_id, "shelf_a": site.shelf_a, "shelf_b": site.shelf_b}

    def items(self, after: int) -> FeedPage:
        """The feed page bringing the three items."""
        entries = [
            FeedEntry(seq=after + i, kind=FeedKind.ORDERABLE, key=str(self.ids[item]),
                      event_type=OrderableChanged.event_type,
                      data=_item(self.ids[item], code, name, programs).model_dump(mode="json"))
            for i, (item, code, name, programs) in enumerate([
                ("amx", "AMX-250", "Amoxicillin 250mg", [self.ids["epi"]]),
                ("pcm", "PCM-500", "Paracetamol 500mg", [self.ids["fp"]]),
                ("ors", "ORS_1", "Oral rehydration salts", []),
            ], start=1)
        ]  # fmt: skip
        return FeedPage(entries=entries, cursor=after + len(entries), more=False)

    async def setup(self) -> None:
        for lot, item, expiry, shelf, quantity in LINES:
            place = shelf and str(self.ids[shelf])
            body = {"item_id": str(self.ids[item]), "lot_code": lot, "quantity": quantity,
                    "expiry_date": expiry, "location_id": place}  # fmt: skip
            self.ids[lot] = UUID((await self.post("receipts", body))["batch_id"])
        empty = {"item_id": str(self.ids["amx"]), "batch_id": str(self.ids["L-A3"]),
                 "location_id": str(self.ids["shelf_a"]), "quantity": 4}  # fmt: skip
        await self.post("issues", {"lines": [empty]})

    async def post(self, path: str, body: dict[str, Any]) -> Any:
        r = await self.client.post(self.url(path), json=body, headers=self.headers)
        assert r.status_code == 201, r.text
        return r.json()

    def url(self, path: str) -> str:
        return f"/stores/{self.site.store_id}/{path}"

    async def lines(self, **params: Any) -> dict[str, Any]:
        r = await self.get(**params)
        assert r.status_code == 200, r.text
        return dict(r.json())

    async def lots(self, **params: Any) -> list[str]:
        """The lot codes listed, in order, with the ids named in `params` resolved."""
        resolved = {k: str(self.ids[v]) if k in IDS else v for k, v in params.items()}
        return [line["lot_code"] for line in (await self.lines(**resolved))["items"]]

    async def get(self, **params: Any) -> httpx.Response:
        return await self.client.get(self.url("stock-on-hand"), params=params, headers=self.headers)


def _item(item_id: UUID, code: str, name: str, programs: list[UUID]) -> OrderableChanged:
    return OrderableChanged(
        item_id=item_id, code=code, name=name, dispensing_unit="tablet", net_content=1,
        pack_rounding_threshold=0, round_to_zero=False, vvm=False, cold_chain=False, active=True,
        version=1, changed_at=datetime.now(UTC), program_ids=programs,
    )  # fmt: skip


@pytest.fixture
async def store(db: Database, site: Site) -> AsyncIterator[Store]:
    users = {"keeper": [f"{r}|{site.store_id}" for r in RIGHTS], "clerk": site.grant(*RIGHTS)}
    await seed(db, site, site.credentials(users))
    app = create_app(Settings(site_id=site.site_id), db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            s = Store(site, client)
            after = len(site.entries())
            page, now = s.items(after), datetime.now(UTC)
            await db.write(lambda c: feed.apply_page(c, after=after, page=page, now=now))
            s.headers = {"authorization": f"Bearer {await sign_in(client, 'keeper')}"}
            await s.setup()
            yield s


ALONE = {
    "no filter lists every line with stock": ({}, NON_EMPTY),
    "q matches the item code ignoring case": ({"q": "amx"}, ["L-A1", "L-A2"]),
    "q matches the item name ignoring case": ({"q": "PARACET"}, ["p-9", "P-10"]),
    "q matches inside a name": ({"q": "mg"}, ["L-A1", "L-A2", "p-9", "P-10"]),
    "q takes an underscore literally": ({"q": "_"}, ["O-1"]),
    "q takes a percent sign literally": ({"q": "%"}, []),
    "an empty q matches everything": ({"q": ""}, NON_EMPTY),
    "lot_code matches exactly ignoring case": ({"lot_code": "P-9"}, ["p-9"]),
    "lot_code is not a prefix": ({"lot_code": "L-A"}, []),
    "item_id keeps one item": ({"item_id": "pcm"}, ["p-9", "P-10"]),
    "location_id keeps one shelf": ({"location_id": "shelf_b"}, ["L-A2", "P-10"]),
    "expiring_before leaves out later and undated batches": (
        {"expiring_before": "2029-01-01"},
        ["L-A1", "p-9"],
    ),
    "program_id keeps the items ordered under it": ({"program_id": "epi"}, ["L-A1", "L-A2"]),
    "include_empty adds the lines at zero": (
        {"include_empty": "true"},
        ["L-A1", "L-A2", "L-A3", "O-1", "p-9", "P-10"],
    ),
    "on_hold true lists nothing, a site holding no stock": ({"on_hold": "true"}, []),
    "on_hold false lists every line": ({"on_hold": "false"}, NON_EMPTY),
}


@pytest.mark.parametrize(("params", "lots"), ALONE.values(), ids=ALONE.keys())
async def test_each_filter_alone_keeps_only_its_lines(
    store: Store, params: dict[str, str], lots: list[str]
) -> None:
    assert await store.lots(**params) == lots


async def test_filters_together_keep_the_lines_matching_all_of_them(store: Store) -> None:
    near = {"q": "MG", "location_id": "shelf_a", "expiring_before": "2029-01-01"}
    assert await store.lots(**near) == ["L-A1", "p-9"]
    assert await store.lots(**near, program_id="fp") == ["p-9"]
    assert await store.lots(**near, program_id="fp", lot_code="l-a1") == []
    assert await store.lots(q="a", lot_code="o-1", item_id="ors", include_empty="true") == ["O-1"]


async def test_a_filtered_list_pages_and_counts_only_its_matches(store: Store) -> None:
    second = await store.lines(q="mg", size=1, page=1)
    assert (second["total"], [i["lot_code"] for i in second["items"]]) == (4, ["L-A2"])


async def test_a_clerk_scoped_to_a_program_is_still_refused_another_programs_item(
    store: Store,
) -> None:
    store.headers = {"authorization": f"Bearer {await sign_in(store.client, 'clerk')}"}
    r = await store.get(item_id=str(store.ids["pcm"]), q="mg")
    assert r.status_code == 403, r.text
    assert await store.lots(item_id="amx", q="mg") == ["L-A1", "L-A2"]


@pytest.mark.parametrize(
    "params",
    [{"q": "a\x00b"}, {"q": "x" * 201}, {"lot_code": "L\x00"}, {"lot_code": "L" * 65}],
    ids=["a NUL in q", "q over 200 characters", "a NUL in lot_code", "lot_code over 64"],
)
async def test_a_search_text_with_a_nul_or_too_long_is_a_422_problem(
    store: Store, params: dict[str, str]
) -> None:
    r = await store.get(**params)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
