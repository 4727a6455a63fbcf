"""Central's requisition pages on a scripted requisition API: what approvers and a supplier's
order staff see and what each form sends (If-Match, Idempotency-Key, the body)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest
from fastapi import FastAPI

from akiba_platform.testing.tokens import TestIssuer
from akiba_web.app import create_web
from akiba_web.backend import Backend
from akiba_web.host import Host
from akiba_web.reference import Item, Reference, Store

CSRF = "csrf-of-this-browser"


@dataclass
class Api:
    """The requisition service's answers for one requisition, and the writes it was sent."""

    store: UUID = field(default_factory=uuid4)
    supplier: UUID = field(default_factory=uuid4)
    program: UUID = field(default_factory=uuid4)
    node: UUID = field(default_factory=uuid4)
    item: UUID = field(default_factory=uuid4)
    rid: UUID = field(default_factory=uuid4)
    status: str = "AUTHORIZED"
    refuse: tuple[int, str] | None = None
    writes: list[httpx.Request] = field(default_factory=list)

    def doc(self) -> dict[str, Any]:
        line = {"orderable_id": str(self.item), "full_supply": True, "stock_on_hand": 40,
                "calculated_order_quantity": 80, "requested_quantity": 90,
                "requested_quantity_explanation": "campaign", "approved_quantity": 90,
                "remarks": None, "average_monthly_consumption": "41.50", "pack_size": 10,
                "packs_to_ship": 9, "price_per_pack": "2.50", "total_cost": "22.50"}  # fmt: skip
        return {
            "requisition_id": str(self.rid), "kind": "PROGRAM", "facility_id": str(self.store),
            "program_id": str(self.program), "period_id": None, "emergency": False,
            "status": self.status, "version": 3, "node_id": str(self.node),
            "supplying_facility_id": str(self.supplier), "created_by": "clerk",
            "created_at": "2026-07-01T09:00:00+00:00", "comment": None,
            "lines": [line], "history": [],
        }  # fmt: skip

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if request.method != "GET":
            self.writes.append(request)
            if self.refuse:
                status, title = self.refuse
                return httpx.Response(status, json={"title": title, "detail": "no"})
            return httpx.Response(200, json=self.doc())
        if path in ("/requisitions/for-approval", "/requisitions/for-release"):
            return httpx.Response(200, json={"items": [self.doc()], "total": 1, "page": 0,
                                             "size": 100})  # fmt: skip
        if path == f"/requisitions/{self.rid}":
            return httpx.Response(200, json=self.doc())
        return httpx.Response(404, json={"title": "Not found"})


@dataclass
class Central:
    """The pages as central serves them, a browser, and the API behind them."""

    browser: httpx.AsyncClient
    api: Api
    issuer: TestIssuer

    def sign_in(self, *permissions: str, approver_at: UUID | None = None) -> None:
        """A signed-in user with these permission strings (and approval at a node)."""
        nodes = [("REQUISITION_APPROVE", approver_at, self.api.program)] if approver_at else []
        _, token = self.issuer.user(*permissions, nodes=nodes)
        self.browser.cookies.set("akiba_at", token)
        self.browser.cookies.set("akiba_csrf", CSRF)

    async def post(self, action: str, **fields: str) -> httpx.Response:
        """Post a form of the pages with this browser's CSRF token and a fresh key."""
        data = {"csrf": CSRF, "key": uuid4().hex, "version": "3",
                "store_id": str(self.api.store), **fields}  # fmt: skip
        return await self.browser.post(f"/app{action}", data=data)


@pytest.fixture
async def central() -> AsyncIterator[Central]:
    api, issuer = Api(), TestIssuer()
    ref = Reference()
    ref.items[api.item] = Item(api.item, "AMX", "Amoxicillin")
    ref.stores[api.store] = Store(api.store, "S1", "Clinic")
    ref.stores[api.supplier] = Store(api.supplier, "W1", "Warehouse")
    ref.programs[api.program] = "Essential medicines"
    client = httpx.AsyncClient(transport=httpx.MockTransport(api), base_url="http://api")
    web = create_web()
    web.state.host = Host("Central", Backend(client), issuer.authorizer, ref, central=True)
    outer = FastAPI()
    outer.mount("/app", web)
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="http://central") as browser:
        yield Central(browser, api, issuer)
    await client.aclose()


async def test_an_approver_sees_what_waits_at_their_node_and_approves_at_its_version(
    central: Central,
) -> None:
    api = central.api
    central.sign_in(approver_at=api.node)
    listed = await central.browser.get("/app/requisitions/approve")
    assert listed.status_code == 200, listed.text
    assert f"/app/requisitions/{api.rid}" in listed.text and "Clinic" in listed.text
    page = await central.browser.get(f"/app/requisitions/{api.rid}")
    assert f'name="approved:{api.item}"' in page.text and f'name="remarks:{api.item}"' in page.text
    assert "/approve" in page.text and "/reject" in page.text and "/submit" not in page.text
    assert "41.5" in page.text and "22.50" in page.text  # AMC and cost, as the API computed

    r = await central.post(f"/requisitions/{api.rid}/approve")
    assert r.status_code == 303 and r.headers["location"].endswith("?done=approve")
    [sent] = api.writes
    assert sent.url.path == f"/requisitions/{api.rid}/approve"
    assert sent.headers["if-match"] == '"3"' and sent.headers["idempotency-key"]


async def test_an_approver_saves_approved_quantities_with_remarks(central: Central) -> None:
    api = central.api
    central.sign_in(approver_at=api.node)
    fields = {f"approved:{api.item}": "80", f"remarks:{api.item}": "budget"}
    r = await central.post(f"/requisitions/{api.rid}/lines", **fields)
    assert r.status_code == 303, r.text
    [sent] = api.writes
    assert (sent.method, sent.headers["if-match"]) == ("PUT", '"3"')
    assert json.loads(sent.content) == {
        "lines": [{"orderable_id": str(api.item), "approved_quantity": 80, "remarks": "budget"}]
    }  # fmt: skip  (a requested quantity is not the approver's to change: not sent)


async def test_a_rejection_needs_a_reason_and_a_refusal_is_shown_on_the_page(
    central: Central,
) -> None:
    api = central.api
    central.sign_in(approver_at=api.node)
    unexplained = await central.post(f"/requisitions/{api.rid}/reject", reason=" ")
    assert unexplained.status_code == 422 and not api.writes
    api.refuse = (409, "Wrong status")
    r = await central.post(f"/requisitions/{api.rid}/reject", reason="figures do not add up")
    assert r.status_code == 409 and "this step is no longer possible" in r.text
    assert json.loads(api.writes[0].content) == {"reason": "figures do not add up"}


async def test_an_approver_elsewhere_sees_no_approval_buttons_and_the_api_refuses_a_forged_one(
    central: Central,
) -> None:
    api = central.api
    central.sign_in(approver_at=uuid4())
    page = await central.browser.get(f"/app/requisitions/{api.rid}")
    assert page.status_code == 200 and "/approve" not in page.text and "approved:" not in page.text
    api.refuse = (403, "Forbidden")
    r = await central.post(f"/requisitions/{api.rid}/approve")
    assert r.status_code == 403


async def test_a_suppliers_order_staff_convert_approved_requisitions_to_orders(
    central: Central,
) -> None:
    api = central.api
    api.status = "APPROVED"
    central.sign_in(f"ORDERS_EDIT|{api.supplier}")
    listed = await central.browser.get("/app/requisitions/approve")
    assert "Approved requisitions Warehouse supplies" in listed.text
    assert f"/app/requisitions/{api.rid}/release" in listed.text
    assert "Requisitions waiting for your approval" not in listed.text
    r = await central.post(f"/requisitions/{api.rid}/release", back="approvals",
                           supplying_facility_id=str(api.supplier))  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == "/app/requisitions/approve?done=release"
    assert json.loads(api.writes[0].content) == {"supplying_facility_id": str(api.supplier)}


async def test_someone_who_neither_approves_nor_supplies_may_not_open_the_approvals_page(
    central: Central,
) -> None:
    central.sign_in(f"REQUISITION_VIEW|{central.api.store}")
    r = await central.browser.get("/app/requisitions/approve")
    assert r.status_code == 403
