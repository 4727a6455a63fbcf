"""A requisition approved up the supervision tree and converted to an order, in chromium.

The pages are central's web app served on a real port, calling this service's real app and
database in process (the `world` of these integration tests): the browser clicks what an
approver clicks. Run by `make web-test` (it needs Debian's chromium), not by `make test`.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI
from playwright.async_api import Browser, BrowserContext, expect

from akiba_devtools.testing import wait_until
from akiba_web.app import create_web
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Reference
from tests.browser.chromium import ARTIFACTS, chromium, look

from ..test_web_customer_pages import _sent, _storekeeper

World = Any  # the `world` fixture (../conftest.py)
CREATE, AUTHORIZE, APPROVE = "REQUISITION_CREATE", "REQUISITION_AUTHORIZE", "REQUISITION_APPROVE"


@pytest.fixture
async def site_url(world: World) -> AsyncIterator[str]:
    """Central's pages on a real port, over this service's app."""
    web = create_web()
    web.state.host = Host("", Backend(world.client), world.issuer.authorizer, Reference())
    outer = FastAPI()
    outer.mount("/app", web)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(outer, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    task = asyncio.create_task(server.serve())
    await wait_until(lambda: server.started, what="the pages served")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@pytest.fixture(autouse=True)
def artifacts() -> None:
    """Where the screenshots go."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's chromium, headless."""
    async with chromium() as b:
        yield b


async def _as(browser: Browser, url: str, token: str) -> BrowserContext:
    """A browser whose session holds this user's access token (sign-in is tested elsewhere)."""
    context = await browser.new_context(locale="en-GB")
    await context.add_cookies([{"name": "akiba_at", "value": token, "url": url,
                                "httpOnly": True, "sameSite": "Strict"}])  # fmt: skip
    return context


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


async def test_a_requisition_is_approved_at_two_nodes_and_converted_to_an_order_in_chromium(
    world: World, site_url: str, browser: Browser
) -> None:
    await world.build()
    doc = await _authorized(world)
    rid, item = doc["requisition_id"], str(world.items[0])

    # The district approver finds it waiting, sets an approved quantity and approves.
    district = await _as(browser, site_url, world.user(APPROVE, nodes=[(APPROVE, world.district)]))
    page = await district.new_page()
    await page.goto(f"{site_url}/app/requisitions/approve")
    await look(page, ARTIFACTS, "41-approvals-waiting")
    await page.locator(f"a[href='/app/requisitions/{rid}']").first.click()
    await page.locator(f"input[name='approved:{item}']").fill("7")
    await page.locator(f"input[name='remarks:{item}']").fill("what the budget allows")
    await page.get_by_role("button", name="Save the quantities").click()
    await look(page, ARTIFACTS, "42-requisition-approved-quantities")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_text("In approval").first).to_be_visible()
    # It waits at the region now: the district approver is offered no approval any more.
    await expect(page.get_by_role("button", name="Approve")).to_have_count(0)
    await district.close()

    region = await _as(browser, site_url, world.user(APPROVE, nodes=[(APPROVE, world.region)]))
    page = await region.new_page()
    await page.goto(f"{site_url}/app/requisitions/{rid}")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_text("Approved").first).to_be_visible()
    await look(page, ARTIFACTS, "43-requisition-approved")
    await region.close()

    # The supplying warehouse's order staff convert it to an order.
    _, token = world.issuer.user(f"ORDERS_EDIT|{world.warehouse}")
    warehouse = await _as(browser, site_url, token)
    page = await warehouse.new_page()
    await page.goto(f"{site_url}/app/requisitions/approve")
    await look(page, ARTIFACTS, "44-approved-to-convert")
    await page.get_by_role("button", name="Convert to order").first.click()
    await expect(page.get_by_role("status")).to_contain_text("converted to an order")
    await warehouse.close()
    after = await world.call("GET", f"/requisitions/{rid}", token=world.user(CREATE))
    assert after.json()["status"] == "RELEASED"
    assert after.json()["lines"][0]["approved_quantity"] == 7


async def test_a_supplying_store_approves_and_supplies_an_internal_order_in_chromium(
    world: World, site_url: str, browser: Browser
) -> None:
    doc = await _sent(world)
    rid, item, store = doc["requisition_id"], str(world.items[0]), str(world.warehouse)
    keeper = await _as(browser, site_url, _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT"))
    page = await keeper.new_page()
    await page.goto(f"{site_url}/app/stores/{store}/customer-requisitions")
    await look(page, ARTIFACTS, "45-internal-orders-to-supply")
    await page.locator(f"a[href='/app/customer-requisitions/{rid}']").first.click()
    await page.locator(f"input[name='approved:{item}']").fill("80")
    await page.locator(f"input[name='remarks:{item}']").fill("short of stock")
    await page.get_by_role("button", name="Save the quantities").click()
    await look(page, ARTIFACTS, "46-internal-order-approved-quantities")
    await page.get_by_role("button", name="Approve").click()
    await page.get_by_role("button", name="Supply from this store").click()
    await expect(page.get_by_text("Finalised").first).to_be_visible()
    await look(page, ARTIFACTS, "47-internal-order-supplied")
    await keeper.close()
    after = await world.call("GET", f"/requisitions/{rid}", token=world.user("REQUISITION_VIEW"))
    assert after.json()["status"] == "RELEASED"
    assert after.json()["lines"][0]["approved_quantity"] == 80
