"""Orders and inbound shipments at the site: from the feed, served in fulfillment's shapes, and
received offline into the site's ledger with the proof queued in the shipment's own lane."""

from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from akiba_contracts.payloads import (
    OrderChanged,
    OrderLineState,
    OrderStatus,
    Payload,
    ReceivedLot,
    ShipmentLot,
    ShipmentReceived,
    ShipmentShipped,
    SiteShipmentRefused,
)
from akiba_contracts.rights import Right
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import feed

from ..site import NOW, Site, seed, sign_in

SUPPLIER, ORDER, SHIPMENT = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
A, B = uuid.uuid4(), uuid.uuid4()  # the shipment's lines
PACK = 100  # the site's item comes in packs of 100


def _order(site: Site, version: int = 3) -> OrderChanged:
    line = OrderLineState(
        orderable_id=site.item_id, pack_size=PACK, ordered_quantity=1000, ordered_packs=10,
        shipped_quantity=500, received_quantity=0, rejected_quantity=0, cancelled_quantity=0,
        remaining_quantity=500,
    )  # fmt: skip
    return OrderChanged(
        order_id=ORDER, order_code="ORD-7", requisition_id=None, program_id=None, period_id=None,
        emergency=False, requesting_facility_id=site.store_id, supplying_facility_id=SUPPLIER,
        status=OrderStatus.SHIPPED, back_ordered=True, step="shipped", version=version,
        actor="dispatcher", at=NOW, lines=[line], created_by="planner", created_at=NOW,
    )  # fmt: skip


def _lot(site: Site, line: uuid.UUID, code: str, quantity: int) -> ShipmentLot:
    return ShipmentLot(
        line_id=line, orderable_id=site.item_id, batch_id=uuid.uuid4(), lot_code=code,
        expiry_date=(NOW + timedelta(days=400)).date(), location_id=uuid.uuid4(),
        quantity=quantity, packs=quantity // PACK, pack_size=PACK,
    )  # fmt: skip


def _shipped(site: Site) -> ShipmentShipped:
    return ShipmentShipped(
        shipment_id=SHIPMENT, shipment_code="SHP-9", order_id=ORDER, order_code="ORD-7",
        requisition_id=None, program_id=None, supplying_facility_id=SUPPLIER,
        receiving_facility_id=site.store_id, version=4, carrier="Truck 7", actor="dispatcher",
        shipped_at=NOW, lots=[_lot(site, A, "S-A", 300), _lot(site, B, "S-B", 200)],
    )  # fmt: skip


async def _feed(db: Database, site: Site, *items: tuple[FeedKind, str, Payload]) -> None:
    (cursor,) = db._writer.execute("SELECT cursor FROM feed_cursor").fetchone()
    entries = [
        FeedEntry(seq=cursor + i, kind=k, key=key, event_type=p.event_type,
                  data=p.model_dump(mode="json"))
        for i, (k, key, p) in enumerate(items, start=1)
    ]  # fmt: skip
    page = FeedPage(entries=entries, cursor=cursor + len(entries), more=False)
    sid = str(site.site_id)
    await db.write(lambda c: feed.apply_page(c, after=cursor, page=page, now=NOW, site_id=sid))


@pytest.fixture
async def gw(db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    users = {
        "keeper": site.grant(Right.PODS_VIEW, Right.PODS_MANAGE, Right.STOCK_CARDS_VIEW),
        "looker": site.grant(Right.PODS_VIEW),
        "stranger": [f"{Right.PODS_VIEW}|{uuid.uuid4()}", f"{Right.PODS_MANAGE}|{uuid.uuid4()}"],
    }
    await seed(db, site, site.credentials(users))
    await _feed(
        db, site,
        (FeedKind.ORDER, str(ORDER), _order(site)),
        (FeedKind.INBOUND_SHIPMENT, str(SHIPMENT), _shipped(site)),
    )  # fmt: skip
    app = create_app(Settings(site_id=site.site_id), db)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c


async def _as(gw: httpx.AsyncClient, who: str) -> dict[str, str]:
    return {"authorization": f"Bearer {await sign_in(gw, who)}"}


def _pod(site: Site, reject: int = 100, **line: Any) -> dict[str, Any]:
    return {
        "delivered_by": "Driver", "received_by": "Nurse",
        "received_at": (datetime.now(UTC) - timedelta(hours=1)).isoformat(),
        "lines": [
            {"line_id": str(A), "accepted_quantity": 300, "location_id": str(site.shelf_a)},
            {"line_id": str(B), "accepted_quantity": 200 - reject, "rejected_quantity": reject,
             "rejection_reason": "DAMAGED", "note": "crushed box",
             "location_id": str(site.shelf_b)} | line,
        ],
    }  # fmt: skip


async def _confirm(
    gw: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any], version: int = 4,
    key: str | None = None,
) -> httpx.Response:  # fmt: skip
    extra = {"if-match": f'"{version}"', **({"idempotency-key": key} if key else {})}
    url = f"/inbound-shipments/{SHIPMENT}/proof-of-delivery"
    return await gw.post(url, json=body, headers={**headers, **extra})


def _rows(db: Database, sql: str) -> list[Any]:
    return [tuple(r) for r in db._writer.execute(sql).fetchall()]


async def test_the_stores_orders_and_shipments_come_from_the_feed_in_fulfillments_shapes(
    gw: httpx.AsyncClient, site: Site
) -> None:
    looker = await _as(gw, "looker")

    mine = {"requesting_facility_id": str(site.store_id)}
    orders = await gw.get("/requested-orders", params=mine, headers=looker)
    one = await gw.get(f"/requested-orders/{ORDER}", headers=looker)
    due = {"receiving_facility_id": str(site.store_id), "status": "SHIPPED"}
    coming = await gw.get("/inbound-shipments", params=due, headers=looker)
    s = await gw.get(f"/inbound-shipments/{SHIPMENT}", headers=looker)

    assert [o["order_code"] for o in orders.json()["items"]] == ["ORD-7"]
    assert (one.json()["status"], one.json()["created_by"], one.headers["etag"]) == (
        "SHIPPED",
        "planner",
        '"3"',
    )
    assert one.json()["lines"][0]["shipped_packs"] == 5
    assert [x["shipment_code"] for x in coming.json()["items"]] == ["SHP-9"]
    assert (s.json()["status"], s.headers["etag"]) == ("SHIPPED", '"4"')
    assert [(x["lot_code"], x["packs"], x["receipt"]) for x in s.json()["lots"]] == [
        ("S-A", 3, None), ("S-B", 2, None),
    ]  # fmt: skip


async def test_an_older_order_state_read_again_does_not_replace_a_later_one(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    await _feed(db, site, (FeedKind.ORDER, str(ORDER), _order(site, version=2)))

    got = await gw.get(f"/requested-orders/{ORDER}", headers=await _as(gw, "looker"))

    assert got.json()["version"] == 3


async def test_a_proof_confirmed_offline_posts_accepted_lots_and_queues_the_proof(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    r = await _confirm(gw, await _as(gw, "keeper"), _pod(site))

    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.headers["etag"]) == ("RECEIVED", '"5"')
    assert [(x["packs"], x["receipt"]["accepted_packs"], x["receipt"]["rejection_reason"])
            for x in r.json()["lots"]] == [(3, 3, None), (2, 1, "DAMAGED")]  # fmt: skip
    ledger = _rows(db, "SELECT quantity, reference, source, location_id FROM ledger"
                       " ORDER BY store_sequence")  # fmt: skip
    assert ledger == [
        (300, "shipment SHP-9", str(SUPPLIER), str(site.shelf_a)),
        (100, "shipment SHP-9", str(SUPPLIER), str(site.shelf_b)),
    ]
    lanes = _rows(
        db,
        "SELECT store_id, first_sequence, body FROM outbox JOIN outbox_body USING (outbox_seq)"
        " ORDER BY outbox_seq",
    )
    assert [(lane, first) for lane, first, _ in lanes] == [
        (str(site.store_id), 1), (f"shipment:{SHIPMENT}", 4),
    ]  # fmt: skip
    proof = json.loads(lanes[1][2])
    assert (proof["type"], proof["siteid"]) == ("org.akiba.sites.shipment.received.v1",
                                                str(site.site_id))  # fmt: skip
    assert proof["data"]["expected_version"] == 4
    assert proof["data"]["lines"][1]["note"] == "crushed box"


async def test_a_retried_proof_with_its_key_is_answered_again_and_recorded_once(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    keeper = await _as(gw, "keeper")

    body = _pod(site)
    first = await _confirm(gw, keeper, body, key="pod-1")
    again = await _confirm(gw, keeper, body, key="pod-1")
    other = await _confirm(gw, keeper, _pod(site, reject=0, rejection_reason=None), key="pod-1")

    assert (first.status_code, again.status_code, other.status_code) == (200, 200, 409)
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert len(_rows(db, "SELECT 1 FROM ledger")) == 2
    assert len(_rows(db, "SELECT 1 FROM outbox")) == 2


async def test_a_proof_is_refused_whole_when_it_breaks_a_rule_or_comes_late(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    keeper = await _as(gw, "keeper")

    short = await _confirm(gw, keeper, _pod(site, accepted_quantity=50))
    reasonless = await _confirm(gw, keeper, _pod(site, rejection_reason=None))
    elsewhere = await _confirm(gw, keeper, _pod(site, location_id=str(uuid.uuid4())))
    stale = await _confirm(gw, keeper, _pod(site), version=3)
    unversioned = await gw.post(f"/inbound-shipments/{SHIPMENT}/proof-of-delivery",
                                json=_pod(site), headers=keeper)  # fmt: skip
    done = await _confirm(gw, keeper, _pod(site))
    twice = await _confirm(gw, keeper, _pod(site), version=5)

    assert [short.status_code, reasonless.status_code, elsewhere.status_code] == [422, 422, 422]
    assert "must equal shipped 200" in short.text and "needs a reason" in reasonless.text
    assert (stale.status_code, unversioned.status_code, done.status_code) == (409, 428, 200)
    assert twice.status_code == 409
    assert len(_rows(db, "SELECT 1 FROM ledger")) == 2


async def test_only_the_receivers_staff_see_and_only_its_managers_confirm(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    looker, stranger = await _as(gw, "looker"), await _as(gw, "stranger")

    assert (await _confirm(gw, looker, _pod(site))).status_code == 403
    assert (await _confirm(gw, stranger, _pod(site))).status_code == 404
    assert (await gw.get(f"/inbound-shipments/{SHIPMENT}", headers=stranger)).status_code == 404
    assert (await gw.get(f"/requested-orders/{ORDER}", headers=stranger)).status_code == 404
    assert _rows(db, "SELECT 1 FROM ledger") == []


async def test_centrals_receipt_syncs_the_proof_and_a_refusal_shows_in_the_sync_status(
    gw: httpx.AsyncClient, db: Database, site: Site
) -> None:
    keeper = await _as(gw, "keeper")
    await _confirm(gw, keeper, _pod(site))
    db._writer.execute("UPDATE outbox SET state = 'forwarded'")
    db._writer.commit()
    (proof_id,) = _rows(db, f"SELECT event_id FROM outbox WHERE store_id = 'shipment:{SHIPMENT}'")[
        0
    ]
    refused = SiteShipmentRefused(
        event_id=proof_id, site_id=str(site.site_id), shipment_id=SHIPMENT,
        receiving_facility_id=site.store_id, expected_version=4, reason="stale: at version 6",
        refused_at=NOW,
    )  # fmt: skip

    await _feed(db, site, (FeedKind.SHIPMENT_REFUSAL, proof_id, refused))
    status = (await gw.get("/sync/status", headers=keeper)).json()
    await _feed(db, site, (FeedKind.SHIPMENT_RECEIPT, str(SHIPMENT), _received(site)))
    s = (await gw.get(f"/inbound-shipments/{SHIPMENT}", headers=keeper)).json()

    assert status["refused_by_kind"] == {"shipment": 1}
    assert status["last_errors"][0]["message"] == "stale: at version 6"
    assert (s["version"], s["lots"][1]["receipt"]["rejected_quantity"]) == (5, 100)


def _received(site: Site) -> ShipmentReceived:
    lots = [
        ReceivedLot(line_id=x.line_id, orderable_id=x.orderable_id, batch_id=x.batch_id,
                    lot_code=x.lot_code, expiry_date=x.expiry_date, shipped_quantity=x.quantity,
                    accepted_quantity=x.quantity - (100 if x.line_id == B else 0),
                    rejected_quantity=100 if x.line_id == B else 0,
                    rejection_reason="DAMAGED" if x.line_id == B else None, location_id=None)
        for x in _shipped(site).lots
    ]  # fmt: skip
    return ShipmentReceived(
        shipment_id=SHIPMENT, shipment_code="SHP-9", order_id=ORDER,
        supplying_facility_id=SUPPLIER, receiving_facility_id=site.store_id, version=5,
        lots=lots, delivered_by="Driver", received_by="Nurse", received_at=NOW,
        posted_at_site=True, actor="nurse", at=NOW,
    )  # fmt: skip
