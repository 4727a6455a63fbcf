"""The sync gateway's local record: events/s flat out, and p99 acknowledgement at 500 events/s.

A receipt goes through the real local app (in-process ASGI, a local token, the rights check,
the shared stock rules) and is acknowledged only after its SQLite transaction committed with
synchronous=FULL. The raw baseline, in the same run and on the same disk, is one sqlite3 row
inserted and committed per event with the same settings. Latency is measured from each
event's scheduled send time, so a stall also delays the events queued behind it.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from argon2 import PasswordHasher

from akiba_contracts.sync import SiteCredentials, SiteUser
from akiba_sync_gateway import signin
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.db import Database, connect
from akiba_sync_gateway.settings import Settings

RATE = 500  # events/s offered, the target load
TARGET_P99_MS = 10.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _offered(send: Callable[[], Awaitable[None]], rate: int, seconds: float) -> list[float]:
    """Send at a fixed rate; each latency runs from the event's scheduled time to its ack."""
    latencies: list[float] = []
    start = time.perf_counter()

    async def one(due: float) -> None:
        await send()
        latencies.append(time.perf_counter() - due)

    tasks = []
    for i in range(int(rate * seconds)):
        due = start + i / rate
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        tasks.append(asyncio.create_task(one(due)))
    await asyncio.gather(*tasks)
    return latencies


async def _flat_out(send: Callable[[], Awaitable[None]], seconds: float) -> float:
    """Events/s with one sender (a site's apps record one document at a time per user)."""
    n, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        await send()
        n += 1
    return n / (time.perf_counter() - start)


def _seed(db: Database, site_id: uuid.UUID, store: uuid.UUID, item: uuid.UUID) -> None:
    conn = db._writer
    conn.execute("INSERT INTO stores (store_id, code, name, managed) VALUES (?, 'S', 'S', 1)",
                 (str(store),))  # fmt: skip
    conn.execute("INSERT INTO items VALUES (?, 'I', 'Item', 1, 1)", (str(item),))
    perms = [f"STOCK_ADJUST|{store}|{uuid.uuid4()}"]
    user = SiteUser(
        user_id=uuid.uuid4(), username="bench", active=True, home_facility_id=store, version=1,
        password_hash=PasswordHasher(1, 8, parallelism=1).hash("pw"), permissions=perms,
    )  # fmt: skip
    creds = SiteCredentials(
        site_id=site_id, store_ids=[store], users=[user], issued_at="2024-01-01T00:00:00Z"
    )  # type: ignore[arg-type]
    signin.cache_credentials(conn, creds)


async def _gateway(folder: Path, seconds: float) -> dict[str, Any]:
    site, store, item = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    db = Database(str(folder / "gateway.sqlite3"))
    _seed(db, site, store, item)
    app = create_app(Settings(site_id=site), db)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
                form = {"grant_type": "password", "username": "bench", "password": "pw"}
                token = (await client.post("/oauth/token", data=form)).json()["access_token"]
                headers = {"authorization": f"Bearer {token}"}
                body = {"item_id": str(item), "lot_code": "L1", "quantity": 1}

                async def send() -> None:
                    r = await client.post(f"/stores/{store}/receipts", json=body, headers=headers)
                    assert r.status_code == 201, r.text

                rate = await _flat_out(send, seconds)
                latencies = await _offered(send, RATE, seconds)
        (events,) = db._writer.execute("SELECT count(*) FROM outbox").fetchone()
    finally:
        db.close()
    return {"events/s": rate, "latencies": latencies, "events recorded": events}


async def _raw(folder: Path, seconds: float) -> dict[str, Any]:
    conn = connect(str(folder / "raw.sqlite3"))
    conn.execute("CREATE TABLE t (id TEXT PRIMARY KEY, body BLOB)")
    pool = asyncio.get_running_loop()
    blob = b"x" * 1200  # about one encoded receipt event

    def insert() -> None:
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (?, ?)", (uuid.uuid4().hex, blob))
        conn.execute("COMMIT")

    writer = ThreadPoolExecutor(1)

    async def send() -> None:
        await pool.run_in_executor(writer, insert)

    try:
        rate = await _flat_out(send, seconds)
        latencies = await _offered(send, RATE, seconds)
    finally:
        writer.shutdown()
        conn.close()
    return {"events/s": rate, "latencies": latencies}


async def run(seconds: float = 5.0) -> dict[str, Any]:
    """Gateway and raw figures, and their ratios."""
    with tempfile.TemporaryDirectory(prefix="akiba-gw-bench-") as tmp:
        ours = await _gateway(Path(tmp), seconds)
        raw = await _raw(Path(tmp), seconds)
    p99, raw_p99 = (_percentile(x["latencies"], 0.99) * 1e3 for x in (ours, raw))
    return {
        "gateway record events/s (flat out, 1 sender)": round(ours["events/s"]),
        "raw sqlite insert+commit/s (FULL, 1 writer)": round(raw["events/s"]),
        "gateway / raw (events/s)": round(ours["events/s"] / raw["events/s"], 3),
        f"gateway p50 ack ms at {RATE}/s": round(statistics.median(ours["latencies"]) * 1e3, 2),
        f"gateway p99 ack ms at {RATE}/s": round(p99, 2),
        f"raw p99 commit ms at {RATE}/s": round(raw_p99, 2),
        "gateway p99 / raw p99": round(p99 / raw_p99, 2) if raw_p99 else None,
        f"p99 under {TARGET_P99_MS} ms": p99 < TARGET_P99_MS,
        "events recorded (checked)": ours["events recorded"],
    }
