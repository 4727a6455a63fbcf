"""Goods received at the site's gateway: one receipt document, recorded offline, forwarded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.sync.backoff import Backoff
from akiba_sync_gateway.sync.forwarder import Forwarder
from akiba_sync_gateway.testing import FakeHub, FakeUplink

from ..site import Site

EXPIRY = (date.today() + timedelta(days=400)).isoformat()


def _line(site: Site, n: int, **overrides: Any) -> dict[str, Any]:
    return {
        "item_id": str(site.item_id), "lot_code": f"LOT-{n % 7}", "expiry_date": EXPIRY,
        "quantity": 5 + n, "location_id": str([site.shelf_a, site.shelf_b][n % 2]),
        "unit_price": "1.5", **overrides,
    }  # fmt: skip


def _document(*lines: dict[str, Any], number: str = "DON-9") -> dict[str, Any]:
    return {"supplier": "UNICEF", "reference_kind": "donation", "reference_number": number,
            "lines": list(lines)}  # fmt: skip


async def _post(
    client: httpx.AsyncClient, site: Site, headers: dict[str, str], body: dict[str, Any],
    key: str | None = None,
) -> httpx.Response:  # fmt: skip
    extra = {"idempotency-key": key} if key else {}
    url = f"/stores/{site.store_id}/goods-received"
    return await client.post(url, json=body, headers={**headers, **extra})


def _count(db: Database, table: str) -> int:
    return int(db._writer.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


async def test_a_delivery_is_recorded_as_one_receipt_document_in_the_outbox(
    client: httpx.AsyncClient, seeded: Database, site: Site, clerk: dict[str, str]
) -> None:
    lines = [_line(site, n) for n in range(300)]
    r = await _post(client, site, clerk, _document(*lines))
    assert r.status_code == 201, r.text
    doc = r.json()
    assert r.headers["location"] == f"/stores/{site.store_id}/goods-received/{doc['document_id']}"
    assert (doc["line_count"], doc["lines"][0]["unit_price"]) == (300, "1.5000")
    assert _count(seeded, "ledger") == 300 and _count(seeded, "outbox") == 1
    soh = seeded._writer.execute("SELECT sum(quantity) FROM stock_on_hand").fetchone()[0]
    assert soh == doc["total_quantity"] == sum(ln["quantity"] for ln in lines)
    read = await client.get(f"/stores/{site.store_id}/goods-received/{doc['document_id']}",
                            headers=clerk)  # fmt: skip
    assert read.json() == doc
    listed = (await client.get(f"/stores/{site.store_id}/goods-received", headers=clerk)).json()
    assert [(d["document_id"], d["line_count"]) for d in listed["items"]] == [
        (doc["document_id"], 300)
    ]


async def test_the_recorded_document_is_forwarded_as_one_event_of_receipts_with_its_reference(
    client: httpx.AsyncClient, seeded: Database, site: Site, clerk: dict[str, str]
) -> None:
    doc = (await _post(client, site, clerk, _document(*[_line(site, n) for n in range(40)]))).json()
    hub = FakeHub(site.site_id, {site.store_id})
    forwarder = Forwarder(seeded, FakeUplink(hub), Backoff(0.001, 0.001), batch_size=10,
                          lanes=1, idle_seconds=0.001)  # fmt: skip
    while await forwarder.forward_once():
        pass
    (event,) = hub.received
    data = event["data"]
    assert (event["storeseq"], data["document_type"]) == (1, "receipt")
    assert (data["reference"], data["source"]) == ("donation:DON-9", "UNICEF")
    assert [ln["movement_id"] for ln in data["lines"]] == [ln["movement_id"] for ln in doc["lines"]]
    assert {ln["movement_type"] for ln in data["lines"]} == {"receipt"}


async def test_bad_lines_are_all_named_and_nothing_is_recorded(
    client: httpx.AsyncClient, seeded: Database, site: Site, clerk: dict[str, str]
) -> None:
    body = _document(
        _line(site, 0),
        _line(site, 1, item_id=str(uuid.uuid4())),
        _line(site, 2, location_id=str(uuid.uuid4())),
        _line(site, 7, expiry_date=(date.today() + timedelta(days=9)).isoformat()),
    )
    r = await _post(client, site, clerk, body)
    assert r.status_code == 422
    assert [(e["loc"][2], e["type"]) for e in r.json()["errors"]] == [
        (1, "unknown_item"), (2, "unknown_location"), (3, "expiry_conflict"),
    ]  # fmt: skip
    assert _count(seeded, "ledger") == _count(seeded, "outbox") == 0
    assert _count(seeded, "goods_received") == 0


async def test_a_retry_with_the_same_key_is_answered_again_and_recorded_once(
    client: httpx.AsyncClient, seeded: Database, site: Site, clerk: dict[str, str]
) -> None:
    body = _document(_line(site, 0), _line(site, 1))
    first = await _post(client, site, clerk, body, key="grn-1")
    again = await _post(client, site, clerk, body, key="grn-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    other = await _post(client, site, clerk, _document(_line(site, 3)), key="grn-1")
    assert other.status_code == 409
    assert (_count(seeded, "ledger"), _count(seeded, "goods_received")) == (2, 1)


async def test_a_viewer_may_not_record_nor_a_clerk_at_another_store(
    client: httpx.AsyncClient, site: Site, clerk: dict[str, str], viewer: dict[str, str]
) -> None:
    body = _document(_line(site, 0))
    assert (await _post(client, site, viewer, body)).status_code == 403
    url = f"/stores/{site.other_store}/goods-received"
    assert (await client.post(url, json=body, headers=clerk)).status_code == 403


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00"])
async def test_a_moment_at_the_edge_of_the_calendar_is_a_4xx_not_a_5xx(
    client: httpx.AsyncClient, seeded: Database, site: Site, clerk: dict[str, str], when: str
) -> None:
    r = await _post(client, site, clerk, {**_document(_line(site, 0)), "received_at": when})
    assert 400 <= r.status_code < 500, r.text
    assert _count(seeded, "ledger") == 0
