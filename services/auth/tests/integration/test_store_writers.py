"""One writer per store: auth says which site writes a store, and moving it is a hand-over."""

from __future__ import annotations

import asyncio
from typing import Any
from uuid import uuid4

from .conftest import AuthApi


async def _site(api: AuthApi, *stores: object) -> dict[str, Any]:
    body = {"name": f"Site {uuid4().hex[:6]}", "store_ids": [str(s) for s in stores]}
    r = await api.post("/sites", body)
    assert r.status_code == 201, r.text
    return dict(r.json())


async def test_a_store_cannot_be_given_to_a_second_site_at_creation(api: AuthApi) -> None:
    store = uuid4()
    first = await _site(api, store)
    r = await api.post("/sites", {"name": "Second", "store_ids": [str(store)]})
    assert r.status_code == 409
    assert first["site_id"] in r.json()["detail"] and "hand-over" in r.json()["detail"]


async def test_a_store_cannot_be_added_to_a_second_site(api: AuthApi) -> None:
    store = uuid4()
    first = await _site(api, store)
    other = await _site(api)
    r = await api.put(f"/sites/{other['site_id']}/stores", {"ids": [str(store)]})
    assert r.status_code == 409
    stores = {s["site_id"]: s["store_ids"] for s in (await api.get("/sites")).json()}
    assert stores == {first["site_id"]: [str(store)], other["site_id"]: []}


async def test_an_inactive_site_still_holds_its_store_until_it_is_handed_over(
    api: AuthApi,
) -> None:
    store = uuid4()
    old = await _site(api, store)
    await api.post(f"/sites/{old['site_id']}/deactivate")
    other = await _site(api)
    r = await api.put(f"/sites/{other['site_id']}/stores", {"ids": [str(store)]})
    assert r.status_code == 409


async def test_concurrent_assignments_of_one_store_leave_it_with_one_site(api: AuthApi) -> None:
    store = uuid4()
    sites = [await _site(api) for _ in range(4)]
    await api.sync()
    answers = await asyncio.gather(
        *(
            api.client.put(
                f"/sites/{s['site_id']}/stores", json={"ids": [str(store)]}, headers=api.admin
            )
            for s in sites
        )
    )
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409]
    owners = await api.pool.fetch("select site_id from site_stores where store_id = $1", store)
    assert len(owners) == 1


async def test_a_hand_over_moves_the_store_and_publishes_both_sites_at_one_version(
    api: AuthApi,
) -> None:
    store, kept = uuid4(), uuid4()
    old = await _site(api, store, kept)
    new = await _site(api)
    r = await api.post(f"/stores/{store}/hand-over", {"to_site_id": new["site_id"]})
    assert r.status_code == 200, r.text
    moved = r.json()
    assert (moved["from_site_id"], moved["to_site_id"]) == (old["site_id"], new["site_id"])
    old_now = (await api.events("auth.sites", old["site_id"]))[-1]
    new_now = (await api.events("auth.sites", new["site_id"]))[-1]
    assert old_now["store_ids"] == [str(kept)] and new_now["store_ids"] == [str(store)]
    assert old_now["version"] == new_now["version"] == moved["version"] > new["version"]


async def test_a_store_handed_back_to_central_belongs_to_no_site(api: AuthApi) -> None:
    store = uuid4()
    old = await _site(api, store)
    r = await api.post(f"/stores/{store}/hand-over", {"to_site_id": None})
    assert r.status_code == 200 and r.json()["to_site_id"] is None
    assert (await api.events("auth.sites", old["site_id"]))[-1]["store_ids"] == []
    again = await _site(api, store)
    assert again["store_ids"] == [str(store)]


async def test_a_store_cannot_be_handed_to_an_inactive_or_unknown_site(api: AuthApi) -> None:
    store = uuid4()
    await _site(api, store)
    gone = await _site(api)
    await api.post(f"/sites/{gone['site_id']}/deactivate")
    assert (
        await api.post(f"/stores/{store}/hand-over", {"to_site_id": gone["site_id"]})
    ).status_code == 422
    assert (
        await api.post(f"/stores/{store}/hand-over", {"to_site_id": str(uuid4())})
    ).status_code == 404


async def test_every_site_change_takes_a_higher_version(api: AuthApi) -> None:
    site = await _site(api)
    await api.put(f"/sites/{site['site_id']}/stores", {"ids": [str(uuid4())]})
    await api.post(f"/sites/{site['site_id']}/deactivate")
    versions = [e["version"] for e in await api.events("auth.sites", site["site_id"])]
    assert versions == sorted(versions) and len(set(versions)) == 3
