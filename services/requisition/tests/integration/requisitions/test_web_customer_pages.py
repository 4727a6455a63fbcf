"""Central's customer requisition pages (akiba_web) on this service's real app and database: the
supplying store's storekeeper answers an internal order sent to it; rights hide and refuse."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

import httpx

from akiba_web import work
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Reference
from akiba_web.session import User

from .test_internal_orders import _order, _stocked
from .test_web_pages import CSRF, _signed_in, browser

World = Any  # the `world` fixture (conftest.World)
__all__ = ["browser"]  # a fixture: imported to be found by name, not called


async def _sent(world: World) -> dict[str, Any]:
    """An internal order from the world's store, sent to its warehouse (SOH 30, AMC 30)."""
    await world.build()
    await _stocked(world)
    requester = world.user("REQUISITION_CREATE")
    order = await _order(world, requester)
    r = await world.call("POST", f"/internal-orders/{order['requisition_id']}/send",
                         token=requester, version=order["version"])  # fmt: skip
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


def _storekeeper(world: World, *rights: str) -> str:
    return str(world.issuer.user(*(f"{r}|{world.warehouse}" for r in rights))[1])


async def _post(browser: httpx.AsyncClient, action: str, **fields: str) -> httpx.Response:
    data = {"csrf": CSRF, "key": uuid4().hex, **fields}
    return await browser.post(f"/app{action}", data=data)


async def test_the_suppliers_storekeeper_sets_approved_quantities_approves_and_supplies(
    world: World, browser: httpx.AsyncClient
) -> None:
    doc = await _sent(world)
    rid, item, store = doc["requisition_id"], str(world.items[0]), str(world.warehouse)
    _signed_in(browser, _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT"))

    listed = await browser.get(f"/app/stores/{store}/customer-requisitions")
    assert listed.status_code == 200 and f"/app/customer-requisitions/{rid}" in listed.text
    assert "New" in listed.text and f"/app/stores/{store}/customer-requisitions" in listed.text
    page = await browser.get(f"/app/customer-requisitions/{rid}")
    assert f'name="approved:{item}"' in page.text and f'name="remarks:{item}"' in page.text
    assert ">90<" in page.text  # the requester's calculated order quantity, ⌈(4-1)x30⌉
    for step in ("approve", "reject"):
        assert f"/customer-requisitions/{rid}/{step}" in page.text
    assert f"/customer-requisitions/{rid}/supply" not in page.text

    v = doc["version"]
    typed = {f"approved:{item}": "80", f"remarks:{item}": "short of stock"}
    saved = await _post(browser, f"/customer-requisitions/{rid}/lines", version=str(v), **typed)
    assert saved.status_code == 303, saved.text
    r = await _post(browser, f"/customer-requisitions/{rid}/approve", version=str(v + 1),
                    store_id=store)  # fmt: skip
    assert r.status_code == 303, r.text
    page = await browser.get(r.headers["location"])
    assert "Approved" in page.text and ">80<" in page.text and "short of stock" in page.text
    assert f'name="approved:{item}"' not in page.text
    assert f"/customer-requisitions/{rid}/supply" in page.text

    r = await _post(browser, f"/customer-requisitions/{rid}/supply", version=str(v + 2),
                    store_id=store)  # fmt: skip
    assert r.status_code == 303, r.text
    assert "Finalised" in (await browser.get(r.headers["location"])).text
    after = await world.call("GET", f"/requisitions/{rid}", token=world.user("REQUISITION_VIEW"))
    assert after.json()["status"] == "RELEASED"


async def test_a_viewer_sees_no_approve_button_and_a_forged_approve_is_refused(
    world: World, browser: httpx.AsyncClient
) -> None:
    doc = await _sent(world)
    rid, item = doc["requisition_id"], str(world.items[0])
    _signed_in(browser, _storekeeper(world, "ORDERS_VIEW"))
    page = await browser.get(f"/app/customer-requisitions/{rid}")
    assert page.status_code == 200 and ">90<" in page.text
    assert f"/customer-requisitions/{rid}/approve" not in page.text
    assert f'name="approved:{item}"' not in page.text
    forged = await _post(browser, f"/customer-requisitions/{rid}/approve",
                         version=str(doc["version"]), store_id=str(world.warehouse))  # fmt: skip
    assert forged.status_code == 403

    _signed_in(browser, world.user("ORDERS_VIEW", "ORDERS_EDIT"))  # at the requesting store
    assert (await browser.get(f"/app/customer-requisitions/{rid}")).status_code == 403


async def test_a_step_on_a_stale_version_shows_the_conflict_on_the_current_page(
    world: World, browser: httpx.AsyncClient
) -> None:
    doc = await _sent(world)
    rid, item, v = doc["requisition_id"], str(world.items[0]), doc["version"]
    _signed_in(browser, _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT"))
    saved = await _post(browser, f"/customer-requisitions/{rid}/lines", version=str(v),
                        **{f"approved:{item}": "70"})  # fmt: skip
    assert saved.status_code == 303, saved.text
    stale = await _post(browser, f"/customer-requisitions/{rid}/lines", version=str(v),
                        **{f"approved:{item}": "60"})  # fmt: skip
    assert stale.status_code == 409 and "Someone changed this requisition" in stale.text
    assert f'name="version" value="{v + 1}"' in stale.text and 'value="70"' in stale.text
    stale = await _post(browser, f"/customer-requisitions/{rid}/approve", version=str(v),
                        store_id=str(world.warehouse))  # fmt: skip
    assert stale.status_code == 409 and 'role="alert"' in stale.text


async def test_a_rejection_needs_a_reason_and_sends_it_back_to_the_requesting_store(
    world: World, browser: httpx.AsyncClient
) -> None:
    doc = await _sent(world)
    rid, store, v = doc["requisition_id"], str(world.warehouse), doc["version"]
    _signed_in(browser, _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT"))
    r = await _post(browser, f"/customer-requisitions/{rid}/reject", version=str(v),
                    store_id=store, reason=" ")  # fmt: skip
    assert r.status_code == 422 and 'role="alert"' in r.text and "Reason" in r.text
    r = await _post(browser, f"/customer-requisitions/{rid}/reject", version=str(v),
                    store_id=store, reason="we are out of it")  # fmt: skip
    assert r.status_code == 303, r.text
    assert r.headers["location"] == f"/app/stores/{store}/customer-requisitions?done=reject"
    listed = await browser.get(r.headers["location"])
    assert "sent back" in listed.text and f"/customer-requisitions/{rid}" not in listed.text
    after = await world.call("GET", f"/requisitions/{rid}", token=world.user("REQUISITION_VIEW"))
    assert after.json()["status"] == "REJECTED"
    assert after.json()["history"][-1]["reason"] == "we are out of it"


async def test_the_list_filters_by_the_suppliers_statuses(
    world: World, browser: httpx.AsyncClient
) -> None:
    doc = await _sent(world)
    rid, store = doc["requisition_id"], str(world.warehouse)
    _signed_in(browser, _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT"))
    new = await browser.get(f"/app/stores/{store}/customer-requisitions?status=AUTHORIZED")
    approved = await browser.get(f"/app/stores/{store}/customer-requisitions?status=APPROVED")
    assert f"/customer-requisitions/{rid}" in new.text
    assert f"/customer-requisitions/{rid}" not in approved.text
    assert "No customer requisition matches" in approved.text


async def test_the_supplier_finds_new_internal_orders_among_its_work(world: World) -> None:
    await _sent(world)
    token = _storekeeper(world, "ORDERS_VIEW", "ORDERS_EDIT")
    host = Host("Central", Backend(world.client), world.issuer.authorizer, Reference())
    user = User(token, world.issuer.authorizer.authenticate(token), CSRF, host)
    tiles = await work.waiting(host, user)
    link = f"/stores/{world.warehouse}/customer-requisitions?status=AUTHORIZED"
    assert work.Tile("work.supply", world.warehouse, 1, link) in tiles
