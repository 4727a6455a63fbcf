"""The web app's supplier and receiver pages on central's fulfillment: the real app on a real
database, the pages over it as central's `web` process serves them (tokens in cookies)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from akiba_web.app import create_web
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Reference

from .conftest import World

CSRF = "test-csrf-token"
LATER = date.today() + timedelta(days=180)


class Pages:
    """The pages mounted at /app over the fulfillment app, signed in as one user at a time."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    def as_(self, token: str) -> Pages:
        """Sign in (the access token in its cookie, as sign-in leaves it)."""
        self.client.cookies.set("akiba_at", token)
        self.client.cookies.set("akiba_csrf", CSRF)
        return self

    async def get(self, path: str) -> httpx.Response:
        """A page; it must render."""
        r = await self.client.get(f"/app{path}")
        assert r.status_code < 500, r.text
        return r

    async def post(self, path: str, **form: Any) -> httpx.Response:
        """A form post with the session's CSRF token."""
        data = {"csrf": CSRF, **{k: str(v) for k, v in form.items()}}
        return await self.client.post(f"/app{path}", data=data)


@pytest.fixture
async def pages(world: World) -> AsyncIterator[Pages]:
    web = create_web()
    web.state.host = Host(
        name="central", backend=Backend(world.client), authorizer=world.issuer.authorizer,
        reference=Reference(),
    )  # fmt: skip
    outer = FastAPI()
    outer.mount("/app", web)
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
        yield Pages(client)


def _version(page: httpx.Response, action: str) -> str:
    form = page.text.split(f'action="{action}"', 1)[1]
    found = re.search(r'name="version" value="(\d+)"', form)
    assert found, page.text
    return found.group(1)


async def test_a_dispatcher_sees_the_suppliers_orders_by_status_and_one_with_its_timeline(
    world: World, pages: Pages
) -> None:
    order = await world.release(10)
    p = pages.as_(world.dispatcher)

    listed = await p.get(f"/stores/{world.supplier}/orders")
    ordered = await p.get(f"/stores/{world.supplier}/orders?status=ORDERED")
    one = await p.get(f"/orders/{order['order_id']}")

    assert listed.status_code == 200 and order["order_code"] in listed.text
    assert re.search(r"Ordered <strong>1</strong>", ordered.text)
    assert "10 packs (50 units)" in one.text and "Order created" in one.text
    assert "New shipment" in one.text and "Close the order" in one.text


async def test_a_dispatcher_ships_an_order_step_by_step_on_the_pages(
    world: World, pages: Pages
) -> None:
    await world.lot("A", LATER, 100)
    order = await world.release(4)
    p = pages.as_(world.dispatcher)

    made = await p.post(f"/orders/{order['order_id']}/shipments",
                        **{f"order_packs:{world.item}": 4, "key": "new-1"})  # fmt: skip
    assert made.status_code == 303, made.text
    page = await p.get(made.headers["location"].removeprefix("/app"))
    sid = made.headers["location"].rsplit("/", 1)[1]
    step = f"/app/shipments/{sid}"

    allocated = await p.post(
        f"/shipments/{sid}/allocate", version=_version(page, f"{step}/allocate")
    )
    page = await p.get(f"/shipments/{sid}")
    early = await p.post(f"/shipments/{sid}/pick", version=_version(page, f"{step}/pick"))
    await world.answer(await world.ok("GET", f"/shipments/{sid}"))
    page = await p.get(f"/shipments/{sid}")
    picked = await p.post(f"/shipments/{sid}/pick", version=_version(page, f"{step}/pick"))
    page = await p.get(f"/shipments/{sid}")
    shipped = await p.post(f"/shipments/{sid}/ship", ship_carrier="Truck 7",
                           version=_version(page, f"{step}/ship"))  # fmt: skip
    done = await p.get(shipped.headers["location"].removeprefix("/app"))

    assert allocated.status_code == 303
    assert early.status_code == 409 and 'role="alert"' in early.text
    assert (picked.status_code, shipped.status_code) == (303, 303)
    assert "Shipment sent." in done.text and "carried by Truck 7" in done.text
    assert f"{step}/" not in done.text  # shipped: no step is offered any more
    assert (await world.ok("GET", f"/shipments/{sid}"))["status"] == "SHIPPED"


async def test_a_viewer_is_offered_no_step_and_a_forged_one_is_refused_by_page_and_api(
    world: World, pages: Pages
) -> None:
    order = await world.release(2)
    s = await world.ok("POST", f"/orders/{order['order_id']}/shipments", {})
    _, viewer = world.issuer.user(f"ORDERS_VIEW|{world.supplier}",
                                  f"SHIPMENTS_VIEW|{world.supplier}")  # fmt: skip
    p = pages.as_(viewer)

    page = await p.get(f"/shipments/{s['shipment_id']}")
    forged = await p.post(f"/shipments/{s['shipment_id']}/cancel", version=s["version"])
    direct = await world.step(f"/shipments/{s['shipment_id']}/cancel", s, token=viewer)
    one = await p.get(f"/orders/{order['order_id']}")

    assert page.status_code == 200 and s["shipment_code"] in page.text
    assert "/allocate" not in page.text and "/cancel" not in page.text
    assert forged.status_code == 403 and direct.status_code == 403
    assert "New shipment" not in one.text and "Close the order" not in one.text
    assert (await world.ok("GET", f"/shipments/{s['shipment_id']}"))["status"] == "NEW"


async def test_closing_an_order_needs_a_reason_and_cancels_what_is_due(
    world: World, pages: Pages
) -> None:
    order = await world.release(3)
    p = pages.as_(world.dispatcher)
    path = f"/orders/{order['order_id']}/close"

    reasonless = await p.post(path, version=order["version"], order_close_reason=" ")
    closed = await p.post(path, version=order["version"], order_close_reason="Stock-out")
    page = await p.get(f"/orders/{order['order_id']}")

    assert reasonless.status_code == 422 and "is required" in reasonless.text
    assert closed.status_code == 303
    assert "Cancelled" in page.text and "closed: Stock-out" in page.text
    assert "Order cancelled" in page.text  # the timeline's last step


async def test_the_receiving_store_receives_centrally_and_follows_its_order_to_the_end(
    world: World, pages: Pages
) -> None:
    await world.lot("A", LATER, 100)
    order = await world.release(4)
    s = await world.shipped(order)
    (lot,) = s["lots"]
    line = lot["line_id"]
    p = pages.as_(world.storekeeper)

    coming = await p.get(f"/stores/{world.receiver}/inbound")
    page = await p.get(f"/inbound/{s['shipment_id']}")
    received_at = re.search(r'name="pod_received_at" value="([^"]+)"', page.text)
    assert received_at, page.text
    r = await p.post(
        f"/inbound/{s['shipment_id']}", key="pod-1", version=s["version"],
        pod_received_at=received_at.group(1), pod_delivered_by="Driver", pod_received_by="Nurse",
        **{f"pod_accepted:{line}": 15, f"pod_rejected:{line}": 5,
           f"pod_reason:{line}": "EXPIRED", f"pod_location:{line}": world.receiving_shelf},
    )  # fmt: skip
    placed = await p.get(f"/stores/{world.receiver}/requested-orders")
    one = await p.get(f"/requested-orders/{order['order_id']}")

    assert s["shipment_code"] in coming.text
    assert r.status_code == 303, r.text
    assert order["order_code"] in placed.text
    assert "Received" in one.text and "Shipment picked" in one.text
    received = await world.ok("GET", f"/inbound-shipments/{s['shipment_id']}",
                              token=world.storekeeper)  # fmt: skip
    assert received["lots"][0]["receipt"]["rejection_reason"] == "EXPIRED"
