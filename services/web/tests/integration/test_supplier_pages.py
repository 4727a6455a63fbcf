"""Central's supplier pages over a stand-in for fulfillment that answers in its HTTP shapes:
what each page shows, which steps it offers to whom, and what it sends (If-Match, key).
The same pages over the real service: services/fulfillment/tests/integration/orders."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
from fastapi import FastAPI

from akiba_contracts.fulfillment_http import OrderResponse, ShipmentResponse, Timeline
from akiba_platform.testing.tokens import TestIssuer
from akiba_web.app import create_web
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Item, Location, Reference

NOW = datetime(2031, 5, 1, 9, 0, tzinfo=UTC).isoformat()
SUPPLIER, RECEIVER, ITEM, SHELF = uuid4(), uuid4(), uuid4(), uuid4()
ORDER, SHIPMENT = uuid4(), uuid4()
CSRF = "csrf-token"


def _order() -> dict[str, Any]:
    line = {"orderable_id": ITEM, "pack_size": 5, "ordered_quantity": 50, "ordered_packs": 10,
            "shipped_quantity": 0, "shipped_packs": 0, "received_quantity": 0,
            "received_packs": 0, "rejected_quantity": 0, "cancelled_quantity": 0,
            "remaining_quantity": 50}  # fmt: skip
    return OrderResponse.model_validate({
        "order_id": ORDER, "order_code": "ORD-1", "requisition_id": uuid4(), "program_id": None,
        "period_id": None, "emergency": False, "requesting_facility_id": RECEIVER,
        "supplying_facility_id": SUPPLIER, "status": "FULFILLING", "back_ordered": False,
        "version": 2, "created_by": "approver", "created_at": NOW, "updated_at": NOW,
        "closed_reason": None, "lines": [line],
    }).model_dump(mode="json")  # fmt: skip


def _shipment(status: str) -> dict[str, Any]:
    lot = {"line_id": uuid4(), "orderable_id": ITEM, "batch_id": uuid4(), "lot_code": "L-EARLY",
           "expiry_date": date(2031, 9, 30), "location_id": SHELF, "quantity": 50, "packs": 10,
           "expiring_soon": True, "reserved": False, "receipt": None}  # fmt: skip
    return ShipmentResponse.model_validate({
        "shipment_id": SHIPMENT, "shipment_code": "SHP-1", "order_id": ORDER,
        "supplying_facility_id": SUPPLIER, "receiving_facility_id": RECEIVER, "status": status,
        "version": 3, "created_by": "dispatcher", "created_at": NOW, "updated_at": NOW,
        "carrier": None, "note": None, "shipped_at": None, "cancel_reason": None,
        "delivered_by": None, "received_by": None, "received_at": None,
        "items": [{"orderable_id": ITEM, "pack_size": 5, "quantity": 50, "unallocated": 0,
                   "skipped": [{"reason": "on_hold"}]}],
        "lots": [lot],
    }).model_dump(mode="json")  # fmt: skip


def _timeline() -> dict[str, Any]:
    steps = [{"version": 1, "step": "created", "status": "ORDERED", "shipment_id": None,
              "actor": "approver", "reason": None, "at": NOW},
             {"version": 2, "step": "shipment-allocated", "status": "FULFILLING",
              "shipment_id": SHIPMENT, "actor": "dispatcher", "reason": None,
              "at": NOW}]  # fmt: skip
    return Timeline.model_validate(
        {"order_id": ORDER, "requisition_id": None, "steps": steps}
    ).model_dump(mode="json")


class Fulfillment:
    """Answers the paths the pages call; records the writes; refuses a stale If-Match."""

    def __init__(self) -> None:
        self.writes: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method == "POST":
            self.writes.append(request)
            if request.headers.get("if-match") != '"3"':
                return httpx.Response(409, json={"title": "Stale version", "detail": "at 4"})
            return httpx.Response(200, json=_shipment("PICKED"))
        page = {"page": 0, "size": 50, "total": 1}
        answers: dict[str, Any] = {
            "/orders": {"items": [_order()], **page},
            "/orders/counts": {"counts": {"FULFILLING": 1}},
            f"/orders/{ORDER}": _order(),
            f"/orders/{ORDER}/timeline": _timeline(),
            f"/orders/{ORDER}/shipments": [_shipment("ALLOCATED")],
            "/shipments": {"items": [_shipment("ALLOCATED")], **page},
            f"/shipments/{SHIPMENT}": _shipment("ALLOCATED"),
            f"/requested-orders/{ORDER}": _order(),
            f"/requested-orders/{ORDER}/timeline": _timeline(),
        }
        if path not in answers:
            return httpx.Response(404, json={"title": "Not found"})
        return httpx.Response(200, content=json.dumps(answers[path]))


@pytest.fixture
def issuer() -> TestIssuer:
    return TestIssuer()


@pytest.fixture
def fulfillment() -> Fulfillment:
    return Fulfillment()


@pytest.fixture
async def web(issuer: TestIssuer, fulfillment: Fulfillment) -> AsyncIterator[httpx.AsyncClient]:
    """Central's pages at /app, the stand-in behind them, names of the item and shelf known."""
    ref = Reference(items={ITEM: Item(ITEM, "AMX", "Amoxicillin")},
                    locations={SHELF: Location(SHELF, SUPPLIER, "A1", "Aisle 1")})  # fmt: skip
    client = httpx.AsyncClient(transport=httpx.MockTransport(fulfillment), base_url="http://svc")
    backend = Backend(client)
    app = create_web()
    app.state.host = Host("central", backend, issuer.authorizer, ref)
    outer = FastAPI()
    outer.mount("/app", app)
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as client:
        client.cookies.set("akiba_csrf", CSRF)
        yield client


def _as(web: httpx.AsyncClient, issuer: TestIssuer, *rights: str) -> None:
    _, token = issuer.user(*(f"{r}|{SUPPLIER}" for r in rights), f"PODS_VIEW|{RECEIVER}")
    web.cookies.set("akiba_at", token)


async def test_the_orders_page_counts_by_status_and_an_order_shows_lines_and_timeline(
    web: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    _as(web, issuer, "ORDERS_VIEW", "ORDERS_EDIT", "SHIPMENTS_VIEW", "SHIPMENTS_EDIT")

    listed = await web.get(f"/app/stores/{SUPPLIER}/orders")
    one = await web.get(f"/app/orders/{ORDER}")

    assert listed.status_code == 200 and "ORD-1" in listed.text
    assert "Being prepared <strong>1</strong>" in listed.text
    assert one.status_code == 200, one.text
    assert "AMX Amoxicillin" in one.text and "10 packs (50 units)" in one.text
    assert "Lots allocated" in one.text and "SHP-1" in one.text
    assert 'name="order_packs:' in one.text and 'value="10"' in one.text


async def test_the_pick_list_shows_lots_first_to_expire_where_they_are_and_the_next_steps(
    web: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    _as(web, issuer, "SHIPMENTS_VIEW", "SHIPMENTS_EDIT")

    page = await web.get(f"/app/shipments/{SHIPMENT}")
    listed = await web.get(f"/app/stores/{SUPPLIER}/shipments?status=ALLOCATED")

    assert page.status_code == 200, page.text
    assert "L-EARLY" in page.text and "A1" in page.text and "Expires soon" in page.text
    assert "on hold" in page.text and "picking waits" in page.text
    assert f"/app/shipments/{SHIPMENT}/pick" in page.text
    assert f"/app/shipments/{SHIPMENT}/cancel" in page.text
    assert f"/app/shipments/{SHIPMENT}/ship" not in page.text  # not yet picked
    assert "SHP-1" in listed.text


async def test_a_step_sends_the_version_seen_and_the_forms_key_and_a_refusal_shows_on_the_page(
    web: httpx.AsyncClient, issuer: TestIssuer, fulfillment: Fulfillment
) -> None:
    _as(web, issuer, "SHIPMENTS_VIEW", "SHIPMENTS_EDIT")
    path = f"/app/shipments/{SHIPMENT}/pick"

    ok = await web.post(path, data={"csrf": CSRF, "key": "k-1", "version": "3"})
    stale = await web.post(path, data={"csrf": CSRF, "key": "k-2", "version": "2"})

    assert (ok.status_code, ok.headers["location"]) == (303, f"/app/shipments/{SHIPMENT}?done=pick")
    sent = fulfillment.writes[0]
    assert (sent.headers["if-match"], sent.headers["idempotency-key"]) == ('"3"', "k-1")
    assert stale.status_code == 409 and "Someone changed this" in stale.text


async def test_a_viewer_is_offered_no_step_and_a_forged_one_never_reaches_the_service(
    web: httpx.AsyncClient, issuer: TestIssuer, fulfillment: Fulfillment
) -> None:
    _as(web, issuer, "ORDERS_VIEW", "SHIPMENTS_VIEW")

    page = await web.get(f"/app/shipments/{SHIPMENT}")
    order = await web.get(f"/app/orders/{ORDER}")
    forged = await web.post(f"/app/shipments/{SHIPMENT}/cancel",
                            data={"csrf": CSRF, "key": "k", "version": "3"})  # fmt: skip

    assert page.status_code == 200 and "/pick" not in page.text and "/cancel" not in page.text
    assert "order_packs" not in order.text and "order_close_reason" not in order.text
    assert forged.status_code == 403 and fulfillment.writes == []


async def test_the_requesting_store_follows_its_order_with_the_timeline_centrally(
    web: httpx.AsyncClient, issuer: TestIssuer
) -> None:
    _as(web, issuer)

    fr = await web.get(f"/app/requested-orders/{ORDER}", headers={"accept-language": "fr"})

    assert fr.status_code == 200
    assert "Lots attribués" in fr.text and "En préparation" in fr.text
