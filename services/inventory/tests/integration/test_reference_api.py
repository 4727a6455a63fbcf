"""The reference-data admin API through the real app on a real database."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import decode
from akiba_devtools.testing.plugin import Databases
from akiba_inventory.api.app import create_app
from akiba_inventory.bootstrap import MIGRATIONS
from akiba_inventory.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer

ADMIN = ("FACILITIES_MANAGE", "ORDERABLES_MANAGE", "STOCK_ADJUSTMENT_REASONS_MANAGE")


class Api:
    """The app on a fresh database, and an administrator's token."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        _, self.token = issuer.user(*ADMIN)

    async def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, **params: Any
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token or self.token}"}
        return await self.client.request(method, path, json=body, params=params, headers=headers)

    async def made(self, path: str, body: dict[str, Any]) -> str:
        r = await self.call("POST", path, body)
        assert r.status_code == 201, r.text
        return str(next(v for k, v in r.json().items() if k.endswith("_id")))

    async def store(self) -> str:
        return await self.made("/stores", await store_body(self))

    async def outbox(self) -> list[asyncpg.Record]:
        return await self.pool.fetch("select topic, key, value from outbox order by id")


def code() -> str:
    return f"C-{uuid4().hex[:10]}"


async def type_body(api: Api) -> dict[str, Any]:
    return {"code": code(), "name": "Health centre"}


async def zone_body(api: Api) -> dict[str, Any]:
    return {"code": code(), "name": "Kenya", "level": 1}


async def store_body(api: Api) -> dict[str, Any]:
    ft = await api.made("/facility-types", await type_body(api))
    zone = await api.made("/geographic-zones", await zone_body(api))
    return {"code": code(), "name": "Kibera HC", "facility_type_id": ft, "zone_id": zone}


async def item_body(api: Api) -> dict[str, Any]:
    return {"code": code(), "name": "Amoxicillin", "dispensing_unit": "tablet", "net_content": 100}


async def batch_body(api: Api) -> dict[str, Any]:
    item = await api.made("/items", await item_body(api))
    return {"item_id": item, "lot_code": code(), "expiry_date": "2028-01-31"}


async def reason_body(api: Api) -> dict[str, Any]:
    return {"name": code(), "direction": "debit", "category": "adjustment"}


@dataclass(frozen=True)
class Resource:
    """One reference resource: where it lives, a valid body, its event and a bad input."""

    path: str
    body: Callable[[Api], Awaitable[dict[str, Any]]]
    id_field: str
    topic: str
    event_type: str
    bad: tuple[str, Any]


RESOURCES = {
    "facility-types": Resource(
        "/facility-types",
        type_body,
        "facility_type_id",
        "inventory.facility-types",
        "org.akiba.inventory.facility-type.changed.v1",
        ("code", "has space"),
    ),
    "zones": Resource(
        "/geographic-zones",
        zone_body,
        "zone_id",
        "inventory.geographic-zones",
        "org.akiba.inventory.geographic-zone.changed.v1",
        ("level", 0),
    ),
    "stores": Resource(
        "/stores",
        store_body,
        "store_id",
        "inventory.facilities",
        "org.akiba.inventory.facility.changed.v1",
        ("managed_by", "cloud"),
    ),
    "items": Resource(
        "/items",
        item_body,
        "item_id",
        "inventory.orderables",
        "org.akiba.inventory.orderable.changed.v1",
        ("gtin", "4006381333932"),
    ),
    "batches": Resource(
        "/batches",
        batch_body,
        "batch_id",
        "inventory.batches",
        "org.akiba.inventory.batch.changed.v1",
        ("expiry_date", "31/01/2028"),
    ),
    "reasons": Resource(
        "/adjustment-reasons",
        reason_body,
        "reason_id",
        "inventory.adjustment-reasons",
        "org.akiba.inventory.adjustment-reason.changed.v1",
        ("direction", "sideways"),
    ),
}
ALL = pytest.mark.parametrize("res", list(RESOURCES.values()), ids=list(RESOURCES))


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"inventory": MIGRATIONS}), max_size=10)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://inv") as client:
            yield Api(pool, client, issuer)
    await pool.close()


@ALL
async def test_creating_a_record_writes_its_changed_event_keyed_by_its_id(
    api: Api, res: Resource
) -> None:
    r = await api.call("POST", res.path, await res.body(api))
    assert r.status_code == 201, r.text
    record_id = r.json()[res.id_field]
    out = [o for o in await api.outbox() if o["topic"] == res.topic]
    assert [o["key"] for o in out] == [record_id]
    event = decode(out[0]["value"])
    assert event.type == res.event_type and event.partitionkey == record_id
    assert (event.data or {})["version"] == 1
    got = await api.call("GET", f"{res.path}/{record_id}")
    assert got.status_code == 200 and got.json() == r.json()


@ALL
async def test_a_taken_code_is_a_409_and_publishes_nothing(api: Api, res: Resource) -> None:
    body = await res.body(api)
    assert (await api.call("POST", res.path, body)).status_code == 201
    before = len(await api.outbox())
    r = await api.call("POST", res.path, body)
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert len(await api.outbox()) == before


@ALL
async def test_an_unknown_id_is_a_404(api: Api, res: Resource) -> None:
    for method, suffix, body in [("GET", "", None), ("POST", "/deactivate", None)]:
        r = await api.call(method, f"{res.path}/{uuid4()}{suffix}", body)
        assert r.status_code == 404 and r.json()["title"] == "Reference not found"


@ALL
async def test_bad_input_is_a_422_naming_the_field(api: Api, res: Resource) -> None:
    field, value = res.bad
    r = await api.call("POST", res.path, {**await res.body(api), field: value})
    assert r.status_code == 422
    assert field in [e["loc"][-1] for e in r.json()["errors"]]


@ALL
async def test_an_update_advances_the_version_and_publishes_the_new_state(
    api: Api, res: Resource
) -> None:
    body = await res.body(api)
    created = (await api.call("POST", res.path, body)).json()
    url = f"{res.path}/{created[res.id_field]}"
    if res.path == "/batches":
        body = {"expiry_date": created["expiry_date"]}
    unchanged = await api.call("PUT", url, body)
    assert unchanged.json()["version"] == 1  # nothing changed: nothing written
    r = await api.call("POST", f"{url}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["version"] == 2
    events = [decode(o["value"]) for o in await api.outbox() if o["topic"] == res.topic]
    assert [(e.data or {})["active"] for e in events][-1] is False
    again = await api.call("PUT", url, {**body, "active": True})
    assert again.json()["version"] == 3 and again.json()["active"] is True


@ALL
async def test_lists_come_a_page_at_a_time_with_the_total(api: Api, res: Resource) -> None:
    for _ in range(3):
        await api.call("POST", res.path, await res.body(api))
    total = (await api.call("GET", res.path, size=1)).json()["total"]
    pages = [(await api.call("GET", res.path, page=p, size=2)).json() for p in range(3)]
    ids = [i[res.id_field] for p in pages for i in p["items"]]
    assert len(ids) == len(set(ids)) == total >= 3
    assert pages[0]["page"] == 0 and pages[0]["size"] == 2 and pages[0]["total"] == total
    assert (await api.call("GET", res.path, size=501)).status_code == 422


async def test_a_store_needs_a_known_facility_type_and_zone(api: Api) -> None:
    body = {**await store_body(api), "zone_id": str(uuid4())}
    r = await api.call("POST", "/stores", body)
    assert r.status_code == 422 and "zone" in r.json()["detail"]


async def test_a_zone_sits_below_its_parent_and_keeps_its_children_below_it(api: Api) -> None:
    country = await api.made("/geographic-zones", {"code": code(), "name": "KE", "level": 1})
    region = {"code": code(), "name": "Nairobi", "level": 2, "parent_id": country}
    region_id = await api.made("/geographic-zones", region)
    bad = await api.call("POST", "/geographic-zones", {**region, "code": code(), "level": 1})
    assert bad.status_code == 422 and "lower level" in bad.json()["detail"]
    r = await api.call(
        "PUT", f"/geographic-zones/{country}", {"code": "X", "name": "X", "level": 2}
    )
    assert r.status_code == 422 and "child" in r.json()["detail"]
    listed = await api.call("GET", "/geographic-zones", parent_id=country)
    assert [z["zone_id"] for z in listed.json()["items"]] == [region_id]


async def test_locations_are_unique_per_store_and_seen_with_stock_cards_view(api: Api) -> None:
    a, b = await api.store(), await api.store()
    body = {"code": "A-01", "name": "Shelf A1", "cold_chain": True}
    loc = await api.made(f"/stores/{a}/locations", body)
    assert (await api.call("POST", f"/stores/{a}/locations", body)).status_code == 409
    assert (await api.call("POST", f"/stores/{b}/locations", body)).status_code == 201
    out = [o for o in await api.outbox() if o["topic"] == "inventory.locations"]
    assert out[0]["key"] == loc
    _, viewer = api.issuer.user(f"STOCK_CARDS_VIEW|{a}|{uuid4()}")
    mine = await api.call("GET", f"/stores/{a}/locations", token=viewer)
    assert [x["location_id"] for x in mine.json()["items"]] == [loc]
    assert (await api.call("GET", f"/stores/{b}/locations", token=viewer)).status_code == 403
    _, viewer_b = api.issuer.user(f"STOCK_CARDS_VIEW|{b}|{uuid4()}")
    elsewhere = await api.call("GET", f"/stores/{b}/locations/{loc}", token=viewer_b)
    assert elsewhere.status_code == 404
    admin = await api.call("GET", "/locations", store_id=a)
    assert [x["location_id"] for x in admin.json()["items"]] == [loc]
    assert (await api.call("POST", f"/stores/{uuid4()}/locations", body)).status_code == 404


async def test_the_locations_of_an_unknown_store_are_a_404(api: Api) -> None:
    store = uuid4()
    _, viewer = api.issuer.user(f"STOCK_CARDS_VIEW|{store}|{uuid4()}")
    r = await api.call("GET", f"/stores/{store}/locations", token=viewer)
    assert r.status_code == 404


async def test_a_store_offers_the_reasons_valid_for_a_program_at_its_facility_type(
    api: Api,
) -> None:
    body = await store_body(api)
    store = await api.made("/stores", body)
    epi, other_type = str(uuid4()), await api.made("/facility-types", await type_body(api))
    reasons = {
        "anywhere": {},
        "epi-here": {"program_ids": [epi], "facility_type_ids": [body["facility_type_id"]]},
        "epi-elsewhere": {"program_ids": [epi], "facility_type_ids": [other_type]},
        "other-program": {"program_ids": [str(uuid4())]},
    }
    for name, scope in reasons.items():
        await api.made("/adjustment-reasons", {**await reason_body(api), "name": name, **scope})
    _, viewer = api.issuer.user(f"STOCK_CARDS_VIEW|{store}|{uuid4()}")
    url = f"/stores/{store}/adjustment-reasons"
    r = await api.call("GET", url, token=viewer, program_id=epi)
    assert sorted(x["name"] for x in r.json()) == ["anywhere", "epi-here"]
    unknown_type = {**await reason_body(api), "facility_type_ids": [str(uuid4())]}
    assert (await api.call("POST", "/adjustment-reasons", unknown_type)).status_code == 422


async def test_items_are_found_by_gtin_and_batches_by_expiry(api: Api) -> None:
    item = await api.made("/items", {**await item_body(api), "gtin": "4006381333931"})
    found = await api.call("GET", "/items", gtin="4006381333931")
    assert [i["item_id"] for i in found.json()["items"]] == [item]
    for lot, expiry in [("L-LATE", "2029-01-01"), ("L-SOON", "2026-12-31")]:
        await api.made("/batches", {"item_id": item, "lot_code": lot, "expiry_date": expiry})
    r = await api.call("GET", "/batches", item_id=item, expiring_before="2027-06-30")
    assert [b["lot_code"] for b in r.json()["items"]] == ["L-SOON"]
    unknown = await api.call("POST", "/batches", {"item_id": str(uuid4()), "lot_code": "L"})
    assert unknown.status_code == 422


async def test_items_carry_the_programs_they_are_ordered_under(api: Api) -> None:
    epi = str(uuid4())
    item = await api.made("/items", {**await item_body(api), "program_ids": [epi, epi]})
    assert (await api.call("GET", f"/items/{item}")).json()["program_ids"] == [epi]
    found = await api.call("GET", "/items", program_id=epi)
    assert [i["item_id"] for i in found.json()["items"]] == [item]
    event = await api.pool.fetchval(
        "select value from outbox where topic = 'inventory.orderables' and key = $1", item
    )
    assert (decode(bytes(event)).data or {})["program_ids"] == [epi]


async def test_an_admin_of_one_kind_cannot_manage_another(api: Api) -> None:
    _, orderables = api.issuer.user("ORDERABLES_MANAGE")
    assert (await api.call("POST", "/items", await item_body(api), orderables)).status_code == 201
    r = await api.call("POST", "/facility-types", await type_body(api), orderables)
    assert r.status_code == 403 and "FACILITIES_MANAGE" in r.json()["detail"]
