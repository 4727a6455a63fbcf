"""Central's requisition pages (akiba_web) on this service's real app and database: approvers
approve up the tree on the pages, then the supplier's order staff convert to an order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from akiba_web.app import create_web
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Reference

World = Any  # the `world` fixture (conftest.World)
CREATE, AUTHORIZE, APPROVE = "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_APPROVE"
CSRF = "csrf-of-this-browser"


@pytest.fixture
async def browser(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The pages as central's web process serves them, calling this service's app."""
    web = create_web()
    # The world's client reaches the app in process; the pages call it with the user's token.
    web.state.host = Host("Central", Backend(world.client), world.issuer.authorizer, Reference())
    outer = FastAPI()
    outer.mount("/app", web)
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as c:
        yield c


def _signed_in(browser: httpx.AsyncClient, token: str) -> None:
    browser.cookies.set("akiba_at", token)
    browser.cookies.set("akiba_csrf", CSRF)


async def _post(
    browser: httpx.AsyncClient, action: str, version: int, **fields: str
) -> httpx.Response:
    data = {"csrf": CSRF, "key": uuid4().hex, "version": str(version), **fields}
    return await browser.post(f"/app{action}", data=data)


async def _authorized(world: World) -> dict[str, Any]:
    creator, authorizer = world.user(CREATE), world.user(AUTHORIZE)
    body = {"facility_id": str(world.facility), "program_id": str(world.program)}
    r = await world.call("POST", "/requisitions/initiate", body, token=creator)
    assert r.status_code == 201, r.text
    for step, token in (("submit", creator), ("authorize", authorizer)):
        r = await world.call("POST", f"/requisitions/{r.json()['requisition_id']}/{step}",
                             token=token, version=r.json()["version"])  # fmt: skip
        assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def test_approvers_approve_on_the_pages_up_to_the_supplier_who_converts_it(
    world: World, browser: httpx.AsyncClient
) -> None:
    await world.build()
    doc = await _authorized(world)
    rid, store = doc["requisition_id"], str(world.facility)
    item = str(world.items[0])

    _signed_in(browser, world.user(APPROVE, nodes=[(APPROVE, world.district)]))
    waiting = await browser.get("/app/requisitions/approve")
    assert waiting.status_code == 200 and f"/app/requisitions/{rid}" in waiting.text
    page = await browser.get(f"/app/requisitions/{rid}")
    assert f'name="approved:{item}"' in page.text and f"/requisitions/{rid}/approve" in page.text
    saved = await _post(browser, f"/requisitions/{rid}/lines", doc["version"],
                        **{f"approved:{item}": "7", f"remarks:{item}": "budget"})  # fmt: skip
    assert saved.status_code == 303, saved.text
    stale = await _post(browser, f"/requisitions/{rid}/approve", doc["version"], store_id=store)
    assert stale.status_code == 409 and "Someone changed this requisition" in stale.text
    r = await _post(browser, f"/requisitions/{rid}/approve", doc["version"] + 1, store_id=store)
    assert r.status_code == 303, r.text

    page = await browser.get(f"/app/requisitions/{rid}")
    assert "In approval" in page.text and f"/requisitions/{rid}/approve" not in page.text
    forged = await _post(browser, f"/requisitions/{rid}/approve", doc["version"] + 2,
                         store_id=store)  # fmt: skip
    assert forged.status_code == 403  # it waits at the region now, not at the district

    _signed_in(browser, world.user(APPROVE, nodes=[(APPROVE, world.region)]))
    r = await _post(browser, f"/requisitions/{rid}/approve", doc["version"] + 2, store_id=store)
    assert r.status_code == 303, r.text
    page = await browser.get(r.headers["location"])
    assert "Approved" in page.text and ">7<" in page.text and "budget" in page.text

    _signed_in(browser, world.issuer.user(f"ORDERS_EDIT|{world.warehouse}")[1])
    listed = await browser.get("/app/requisitions/approve")
    assert f"/app/requisitions/{rid}/release" in listed.text
    r = await _post(browser, f"/requisitions/{rid}/release", doc["version"] + 3, store_id=store,
                    supplying_facility_id=str(world.warehouse), back="approvals")  # fmt: skip
    assert r.status_code == 303 and r.headers["location"].endswith("?done=release"), r.text
    after = await world.call("GET", f"/requisitions/{rid}", token=world.user(CREATE))
    assert after.json()["status"] == "RELEASED"
