"""Receiving on the web app mounted in the gateway: the shipment from the site's feed, the proof
posted once through the gateway's own API, refusals shown on the form. No link needed."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_contracts.sync import FeedKind
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import Site, seed, sign_in
from .test_inbound_shipments import ORDER, SHIPMENT, A, B, _feed, _order, _shipped
from .test_web_pages import _csrf, _sign_in

PAGE = f"/app/inbound/{SHIPMENT}"


@pytest.fixture
async def app(db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with a shipment of two lots on its way to the store, a keeper who may
    receive it and a looker who may only see it."""
    users = {
        "keeper": site.grant(Right.PODS_VIEW, Right.PODS_MANAGE, Right.STOCK_CARDS_VIEW),
        "looker": site.grant(Right.PODS_VIEW),
    }
    await seed(db, site, site.credentials(users))
    await _feed(db, site, (FeedKind.ORDER, str(ORDER), _order(site)),
                (FeedKind.INBOUND_SHIPMENT, str(SHIPMENT), _shipped(site)))  # fmt: skip
    gateway = create_app(Settings(site_id=site.site_id), db)
    async with gateway.router.lifespan_context(gateway):
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://site") as c:
            yield c


def _receipt(page: httpx.Response, site: Site, **changes: str) -> dict[str, str]:
    """The form as a keeper fills it: lot B partly rejected as damaged, each lot on a shelf."""
    form = {
        "csrf": _csrf(page), "key": uuid.uuid4().hex, "version": "4",
        "pod_received_at": _hidden(page, "pod_received_at"),
        "pod_delivered_by": "Driver", "pod_received_by": "Nurse",
        f"pod_accepted:{A}": "300", f"pod_location:{A}": str(site.shelf_a),
        f"pod_accepted:{B}": "150", f"pod_rejected:{B}": "50", f"pod_reason:{B}": "DAMAGED",
        f"pod_location:{B}": str(site.shelf_b),
    }  # fmt: skip
    return form | changes


async def _stock(app: httpx.AsyncClient, site: Site) -> list[int]:
    token = await sign_in(app, "keeper")
    r = await app.get(f"/stores/{site.store_id}/stock-on-hand",
                      headers={"authorization": f"Bearer {token}"})  # fmt: skip
    return sorted(line["quantity"] for line in r.json()["items"])


async def test_a_keeper_receives_a_partly_rejected_shipment_once_and_the_accepted_stock_is_on_hand(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "keeper")
    dashboard = await app.get("/app/")
    listed = await app.get(f"/app/stores/{site.store_id}/inbound")
    page = await app.get(PAGE)
    form = _receipt(page, site)

    first = await app.post(PAGE, data=form)
    again = await app.post(PAGE, data=form)  # a double click: the same key

    assert f"/app/stores/{site.store_id}/inbound" in dashboard.text
    assert "SHP-9" in listed.text and f"/app/inbound/{SHIPMENT}" in listed.text
    assert page.status_code == 200 and f'name="pod_accepted:{B}"' in page.text
    assert (first.status_code, first.headers["location"]) == (303, f"{PAGE}?done=received")
    assert again.status_code == 303
    done = await app.get(first.headers["location"])
    assert "Receipt confirmed" in done.text and "Damaged" in done.text
    assert "pod_accepted" not in done.text  # received: no form any more
    assert await _stock(app, site) == [150, 300]


async def test_a_looker_sees_no_receive_form_and_a_forged_post_is_refused(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "looker")
    page = await app.get(PAGE)

    forged = await app.post(PAGE, data=_receipt(page, site))

    assert page.status_code == 200 and "SHP-9" in page.text
    assert "pod_accepted" not in page.text and "not receive it" in page.text
    assert forged.status_code == 403
    assert await _stock(app, site) == []


async def test_accepted_and_rejected_that_do_not_add_up_are_shown_on_the_form_in_french(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "keeper")
    app.cookies.set("akiba_lang", "fr")
    page = await app.get(PAGE)

    r = await app.post(PAGE, data=_receipt(page, site, **{f"pod_rejected:{B}": "40"}))

    assert r.status_code == 422
    assert "Accepté (unités) : plus la quantité refusée doit être égale" in r.text
    assert "vérifiez cette ligne" in r.text and 'aria-invalid="true"' in r.text
    assert re.search(rf'name="pod_rejected:{B}"[^>]*value="40"', r.text)  # kept as entered
    assert await _stock(app, site) == []


async def test_what_the_api_refuses_comes_back_on_the_form_with_its_reason(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "keeper")
    page = await app.get(PAGE)
    elsewhere = _receipt(page, site, **{f"pod_location:{A}": str(uuid.uuid4())})
    stale = _receipt(page, site, version="3")

    wrong_shelf, late = await app.post(PAGE, data=elsewhere), await app.post(PAGE, data=stale)

    assert wrong_shelf.status_code == 422 and "not allowed for this stock" in wrong_shelf.text
    assert late.status_code == 409 and "Someone changed this" in late.text
    assert 'role="alert"' in late.text and "pod_accepted" in late.text
    assert await _stock(app, site) == []


async def test_the_orders_the_store_placed_are_listed_with_their_lines_and_no_site_timeline(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "looker")

    listed = await app.get(f"/app/stores/{site.store_id}/requested-orders")
    one = await app.get(f"/app/requested-orders/{ORDER}")

    assert "ORD-7" in listed.text and "Shipped" in listed.text and "Back-ordered" in listed.text
    assert one.status_code == 200
    assert "5 packs (500 units)" in one.text and "kept centrally" in one.text


async def test_the_suppliers_pages_are_not_served_at_a_site(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "keeper")
    r = await app.get(f"/app/shipments/{SHIPMENT}")
    assert r.status_code == 404


def _hidden(page: httpx.Response, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page.text)
    return found.group(1) if found else ""
