"""Idempotency-Key at the gateway: the SQLite store passes the stores' suite, and every local
write (fast lane and routes) records a retried document once."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import pytest

from akiba_platform.idempotency import Claim
from akiba_platform.testing.idempotency_behaviour import *  # noqa: F403
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.adapters.idempotency import SqliteIdempotencyStore, claim_row
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import Site, receipt


class _RolledBack(Exception):
    def __init__(self, claimed: bool) -> None:
        self.claimed = claimed


class SqliteHarness:
    """The store on the gateway's database; a claim rolled back is a write that raised."""

    def __init__(self, db: Database) -> None:
        self.db, self.store = db, SqliteIdempotencyStore(db)

    async def claim(self, claim: Claim, *, commit: bool) -> bool:
        if commit:
            return await self.store.claim(claim)

        def undone(c: Any) -> None:
            raise _RolledBack(claim_row(c, claim))

        try:
            await self.db.write(undone)
        except _RolledBack as rolled:
            return rolled.claimed
        raise AssertionError("unreachable")

    async def age(self, by: timedelta) -> None:
        await self.db.write(
            lambda c: c.execute(
                "UPDATE idempotency_keys SET created_at = created_at - ?", (by.total_seconds(),)
            )
        )


@pytest.fixture
def idempotency(db: Database) -> SqliteHarness:
    return SqliteHarness(db)


def _rows(db: Database, table: str = "ledger") -> int:
    return int(db._writer.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _with(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "idempotency-key": key}


async def test_a_retried_receipt_is_recorded_once_and_answered_the_same(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    url, body = f"/stores/{site.store_id}/receipts", receipt(site, 30)
    first = await client.post(url, json=body, headers=_with(clerk, "r-1"))
    again = await client.post(url, json=body, headers=_with(clerk, "r-1"))
    assert first.status_code == again.status_code == 201
    assert again.content == first.content and again.headers["idempotent-replayed"] == "true"
    assert (_rows(seeded), _rows(seeded, "outbox")) == (1, 1)


async def test_the_same_key_for_another_receipt_is_a_409_and_records_nothing(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    url = f"/stores/{site.store_id}/receipts"
    await client.post(url, json=receipt(site, 30), headers=_with(clerk, "r-2"))
    r = await client.post(url, json=receipt(site, 31), headers=_with(clerk, "r-2"))
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    assert _rows(seeded) == 1


async def test_concurrent_receipts_with_one_key_record_once(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    url, body = f"/stores/{site.store_id}/receipts", receipt(site, 3)
    answers = await asyncio.gather(
        *(client.post(url, json=body, headers=_with(clerk, "r-3")) for _ in range(8))
    )
    assert {r.status_code for r in answers} == {201}
    assert len({r.json()["movement_id"] for r in answers}) == 1
    assert _rows(seeded) == 1


async def test_each_write_route_records_a_retried_document_once(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 50), headers=clerk)).json()
    line = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 1}
    writes: list[tuple[str, dict[str, Any]]] = [
        ("issues", {"lines": [line]}),
        ("adjustments", {"direction": "negative",
                         "lines": [{**line, "reason_id": str(site.damaged)}]}),
        ("location-moves", {"item_id": str(site.item_id), "batch_id": batch["batch_id"],
                            "from_location_id": None,
                            "to_location_id": str(site.shelf_a), "quantity": 1}),
        ("stocktakes", {}),
    ]  # fmt: skip
    for path, body in writes:
        before = (_rows(seeded), _rows(seeded, "stocktakes"))
        first = await client.post(f"{base}/{path}", json=body, headers=_with(clerk, path))
        after = (_rows(seeded), _rows(seeded, "stocktakes"))
        again = await client.post(f"{base}/{path}", json=body, headers=_with(clerk, path))
        assert first.status_code == again.status_code == 201, (path, first.text)
        assert again.content == first.content, path
        assert after != before and (_rows(seeded), _rows(seeded, "stocktakes")) == after, path


async def test_stocktake_counts_and_finalising_are_idempotent(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 50), headers=clerk)).json()
    st = (await client.post(f"{base}/stocktakes", json={}, headers=clerk)).json()
    url = f"{base}/stocktakes/{st['stocktake_id']}"
    count = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "counted": 47,
             "reason_id": str(site.damaged)}  # fmt: skip
    for _ in range(2):
        r = await client.post(f"{url}/counts", json={"lines": [count]}, headers=_with(clerk, "c"))
        assert r.status_code == 200
    finals = [await client.post(f"{url}/finalise", headers=_with(clerk, "f")) for _ in range(2)]
    assert [f.status_code for f in finals] == [200, 200]
    assert finals[1].headers["idempotent-replayed"] == "true"
    assert _rows(seeded) == 2, "the receipt and one variance"


async def test_a_document_of_a_thousand_lines_replays_whole(
    client: httpx.AsyncClient, clerk: dict[str, str], site: Site, seeded: Database
) -> None:
    base = f"/stores/{site.store_id}"
    batch = (await client.post(f"{base}/receipts", json=receipt(site, 1), headers=clerk)).json()
    line = {"item_id": str(site.item_id), "batch_id": batch["batch_id"], "quantity": 1,
            "reason_id": str(site.found)}  # fmt: skip
    body = {"direction": "positive", "lines": [line] * 1000}
    first = await client.post(f"{base}/adjustments", json=body, headers=_with(clerk, "big"))
    again = await client.post(f"{base}/adjustments", json=body, headers=_with(clerk, "big"))
    assert first.status_code == again.status_code == 201, first.text
    assert len(again.json()) == 1000 and again.content == first.content
    assert _rows(seeded) == 1001


async def test_the_gateway_purges_expired_keys(seeded: Database, site: Site) -> None:
    settings = Settings(site_id=site.site_id, idempotency_purge_every_seconds=0.05)
    store = SqliteIdempotencyStore(seeded)
    await store.claim(Claim("user:u", "old", b"f"))
    await SqliteHarness(seeded).age(timedelta(hours=25))
    app = create_app(settings, seeded)
    async with app.router.lifespan_context(app):
        for _ in range(100):
            if _rows(seeded, "idempotency_keys") == 0:
                break
            await asyncio.sleep(0.05)
    assert _rows(seeded, "idempotency_keys") == 0
