"""The local API through the real app and a real SQLite file: recording, reading, rights."""

from __future__ import annotations

import json
import uuid
from typing import Any

import httpx

from akiba_contracts.envelope import decode
from akiba_contracts.payloads.edge import SiteStockRecorded
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import Database

from ..site import PASSWORD, Site, receipt, sign_in


def _outbox(db: Database) -> list[Any]:
    return db._writer.execute(
        "SELECT store_id, first_sequence, line_count, body, state"
        " FROM outbox JOIN outbox_body USING (outbox_seq) ORDER BY outbox_seq"
    ).fetchall()


async def test_a_receipt_is_acknowledged_with_its_store_sequence_and_queued_for_central(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    r = await client.post(
        f"/stores/{site.store_id}/receipts", json=receipt(site, 100), headers=clerk
    )
    assert r.status_code == 201, r.text
    assert r.json()["store_sequence"] == 1
    [row] = _outbox(seeded)
    event = decode(bytes(row["body"]))
    payload = SiteStockRecorded.model_validate(event.data)
    assert (event.siteid, event.storeseq, row["state"]) == (str(site.site_id), 1, "pending")
    assert payload.lines[0].quantity == 100 and payload.lines[0].lot_code == "LOT-1"


async def test_stock_on_hand_and_the_stock_card_follow_receipts_and_issues(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 100), headers=clerk)).json()
    issue = {
        "lines": [{"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 30}]
    }
    assert (await client.post(f"{base}/issues", json=issue, headers=clerk)).status_code == 201
    soh = (await client.get(f"{base}/stock-on-hand", headers=clerk)).json()
    assert [line["quantity"] for line in soh["items"]] == [70]
    card = (await client.get(f"{base}/items/{site.item_id}/stock-card", headers=clerk)).json()
    assert [(r["quantity"], r["balance"]) for r in card["rows"]] == [(100, 100), (-30, 70)]


async def test_an_issue_larger_than_stock_on_hand_is_refused_with_409_and_records_nothing(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 10), headers=clerk)).json()
    issue = {
        "lines": [{"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 11}]
    }
    r = await client.post(f"{base}/issues", json=issue, headers=clerk)
    assert r.status_code == 409
    assert r.headers["content-type"] == "application/problem+json"
    assert len(_outbox(seeded)) == 1


async def test_adjustments_need_a_reason_that_fits_their_direction(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 10), headers=clerk)).json()
    line = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 2}
    missing = {"direction": "negative", "lines": [line]}
    wrong = {"direction": "negative", "lines": [{**line, "reason_id": str(site.found)}]}
    right = {"direction": "negative", "lines": [{**line, "reason_id": str(site.damaged)}]}
    assert (
        await client.post(f"{base}/adjustments", json=missing, headers=clerk)
    ).status_code == 422
    assert (await client.post(f"{base}/adjustments", json=wrong, headers=clerk)).status_code == 422
    done = await client.post(f"{base}/adjustments", json=right, headers=clerk)
    assert done.status_code == 201 and done.json()[0]["quantity"] == -2


async def test_a_stocktake_count_takes_only_a_reason_central_would_take_for_its_program(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 20), headers=clerk)).json()
    body = {"program_id": str(site.program_id)}
    st = (await client.post(f"{base}/stocktakes", json=body, headers=clerk)).json()
    url = f"{base}/stocktakes/{st['stocktake_id']}/counts"
    count = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "counted": 18}
    other_program = {"lines": [{**count, "reason_id": str(site.elsewhere)}]}
    refused = await client.post(url, json=other_program, headers=clerk)
    assert refused.status_code == 422 and "not valid for that program" in refused.json()["detail"]
    fits = {"lines": [{**count, "reason_id": str(site.damaged)}]}
    assert (await client.post(url, json=fits, headers=clerk)).status_code == 200


async def test_a_location_move_takes_two_consecutive_sequences_and_nets_to_zero(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    base = f"/stores/{site.store_id}"
    body = receipt(site, 10, location_id=str(site.shelf_a))
    batch = (await client.post(f"{base}/receipts", json=body, headers=clerk)).json()
    move = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 4,
            "from_location_id": str(site.shelf_a), "to_location_id": str(site.shelf_b)}  # fmt: skip
    r = await client.post(f"{base}/location-moves", json=move, headers=clerk)
    assert [m["store_sequence"] for m in r.json()] == [2, 3]
    soh = (await client.get(f"{base}/stock-on-hand", headers=clerk)).json()["items"]
    assert sorted((s["location_id"], s["quantity"]) for s in soh) == sorted(
        [(str(site.shelf_a), 6), (str(site.shelf_b), 4)]
    )


async def test_a_finalised_stocktake_posts_variances_so_stock_on_hand_equals_the_counts(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 50), headers=clerk)).json()
    st = (await client.post(f"{base}/stocktakes", json={}, headers=clerk)).json()
    count = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "counted": 47}
    url = f"{base}/stocktakes/{st['stocktake_id']}"
    await client.post(f"{url}/counts", json={"lines": [count]}, headers=clerk)
    assert (await client.post(f"{url}/finalise", headers=clerk)).status_code == 422  # no reason
    count["reason_id"] = str(site.damaged)
    await client.post(f"{url}/counts", json={"lines": [count]}, headers=clerk)
    done = await client.post(f"{url}/finalise", headers=clerk)
    assert done.json()["status"] == "finalised" and done.json()["adjustments"] == 1
    soh = (await client.get(f"{base}/stock-on-hand", headers=clerk)).json()["items"]
    assert [s["quantity"] for s in soh] == [47]
    detail = (await client.get(url, headers=clerk)).json()["items"]
    assert [(d["expected"], d["counted"], d["variance"]) for d in detail] == [(50, 47, -3)]
    again = await client.post(f"{url}/counts", json={"lines": [count]}, headers=clerk)
    assert again.status_code == 409
    last = json.loads(bytes(_outbox(seeded)[-1]["body"]))
    assert last["data"]["document_type"] == "stocktake" and last["storeseq"] == 2


async def test_receiving_an_expired_batch_raises_an_expired_alert_for_the_store(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    base = f"/stores/{site.store_id}"
    old = receipt(site, 5, lot="OLD", expiry_date="2000-01-01")
    await client.post(f"{base}/receipts", json=old, headers=clerk)
    alerts = (await client.get(f"{base}/alerts", headers=clerk)).json()["items"]
    assert [(a["kind"], a["lot_code"]) for a in alerts] == [("expired", "OLD")]


async def test_a_store_the_site_does_not_manage_cannot_be_written_or_read(
    client: httpx.AsyncClient, site: Site, seeded: Database
) -> None:
    other = site.grant("STOCK_ADJUST")[0].replace(str(site.store_id), str(site.other_store))
    # Through the writer's queue: a bare execute could join a group commit still open (an
    # answer stored in the background) and stay unseen by the read below.
    await seeded.write(
        lambda c: c.execute(
            "UPDATE users SET permissions = ? WHERE username = 'clerk'", (json.dumps([other]),)
        )
    )
    app = client._transport.app  # type: ignore[attr-defined]
    app.state.authority.use(await seeded.read(credentials.permissions))
    headers = {"authorization": f"Bearer {await sign_in(client, 'clerk')}"}
    r = await client.post(
        f"/stores/{site.other_store}/receipts", json=receipt(site, 1), headers=headers
    )
    assert r.status_code == 404 and r.json()["title"] == "Store not found", r.text


async def test_calls_without_a_token_get_401_and_without_the_right_get_403(
    client: httpx.AsyncClient, viewer: dict[str, str], site: Site
) -> None:
    url = f"/stores/{site.store_id}/receipts"
    assert (await client.post(url, json=receipt(site, 1))).status_code == 401
    assert (await client.post(url, json=receipt(site, 1), headers=viewer)).status_code == 403
    assert (await client.get(f"/stores/{site.store_id}/stock-on-hand", headers=viewer)).is_success


async def test_sign_in_is_refused_for_a_wrong_password_an_unknown_or_an_inactive_user(
    client: httpx.AsyncClient, seeded: Database
) -> None:
    seeded._writer.execute("UPDATE users SET active = 0 WHERE username = 'viewer'")
    for username, password in (("clerk", "nope"), ("nobody", PASSWORD), ("viewer", PASSWORD)):
        form = {"grant_type": "password", "username": username, "password": password}
        r = await client.post("/oauth/token", data=form)
        assert (r.status_code, r.json()["error"]) == (400, "invalid_grant"), username


async def test_bad_input_is_a_problem_document(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    r = await client.post(f"/stores/{site.store_id}/receipts", json={"quantity": -1}, headers=clerk)
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    unknown = receipt(site, 1, item_id=str(uuid.uuid4()))
    r = await client.post(f"/stores/{site.store_id}/receipts", json=unknown, headers=clerk)
    assert r.status_code == 422 and "item" in r.json()["detail"]


async def test_sync_status_shows_the_backlog_not_forwarded_and_its_age(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    await client.post(f"/stores/{site.store_id}/receipts", json=receipt(site, 3), headers=clerk)
    status = (await client.get("/sync/status", headers=clerk)).json()
    pulled = len(site.entries())  # the feed the site was seeded from, read to its end
    assert (status["not_forwarded"], status["not_synced"], status["feed_cursor"]) == (1, 1, pulled)
    assert status["oldest_unsynced_age_seconds"] >= 0
    metrics = (await client.get("/metrics")).text
    assert "akiba_gateway_backlog_not_synced 1.0" in metrics


async def test_a_page_number_beyond_the_database_integer_is_a_422(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site
) -> None:
    url = f"/stores/{site.store_id}/stock-on-hand"
    r = await client.get(url, params={"page": 2**63}, headers=clerk)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")


async def test_a_nul_character_in_a_receipt_is_a_422_and_records_nothing(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    body = receipt(site, 5, lot="LOT\x001", reference="delivery\x00note")
    r = await client.post(f"/stores/{site.store_id}/receipts", json=body, headers=clerk)
    assert (r.status_code, r.headers["content-type"]) == (422, "application/problem+json")
    assert _outbox(seeded) == []
