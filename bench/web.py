"""The web app on the scale set: the dashboard of a user who sees 3,000 stores, the stock on
hand page of a 5,000-line store, and what each page weighs, next to the API calls they wrap."""

from __future__ import annotations

import random
import socket
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import httpx

from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.auth_topics import AuthOnKafka

# Alerts on the scale set: a realistic share of its store-items (about 2 %).
ALERTS = 60_000
KINDS = ("low_stock", "overstock", "out_of_stock", "negative_stock")
RUNS = 30


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _alerts(dsn: str) -> tuple[int, uuid.UUID, list[uuid.UUID]]:
    """Alerts across the scale set (made once), its biggest store, every store."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(dsn)
    try:
        stores = [r[0] for r in await conn.fetch("select store_id from stores order by code")]
        big = stores[0]
        if await conn.fetchval("select count(*) from active_alerts") < ALERTS:
            pairs = await conn.fetch(
                "select distinct store_id, item_id from stock_on_hand"
                " order by store_id, item_id limit $1",
                ALERTS * 10,
            )
            rng = random.Random(11)
            chosen = rng.sample(list(pairs), min(ALERTS, len(pairs)))
            await conn.execute("delete from active_alerts")
            now = datetime.now(UTC)
            await conn.copy_records_to_table(
                "active_alerts",
                records=[
                    (uuid.uuid4(), rng.choice(KINDS), s, i, None, now, 0, None, None, None)
                    for s, i in chosen
                ],
                columns=("alert_id", "kind", "store_id", "item_id", "batch_id", "started_at",
                         "stock_on_hand", "amc", "mos", "expiry_date"),
            )  # fmt: skip
        return int(await conn.fetchval("select count(*) from active_alerts")), big, stores
    finally:
        await conn.close()


async def _timed(call: Callable[[], Awaitable[httpx.Response]]) -> dict[str, float]:
    samples = []
    for _ in range(RUNS):
        began = time.perf_counter()
        r = await call()
        assert r.status_code == 200, (r.status_code, r.text[:300])
        samples.append((time.perf_counter() - began) * 1000)
    samples.sort()
    return {"p50": statistics.median(samples), "p90": samples[int(len(samples) * 0.9) - 1]}


async def _weight(client: httpx.AsyncClient, path: str) -> int:
    """Bytes on the wire (compressed) of one response."""
    async with client.stream("GET", path, headers={"accept-encoding": "gzip"}) as r:
        await r.aread()
        return int(r.num_bytes_downloaded)


async def run(bootstrap: str, dsn: str) -> dict[str, Any]:
    """Start inventory and the web process on the scale set; time the pages and weigh them."""
    alerts, big, stores = await _alerts(dsn)
    auth = AuthOnKafka(bootstrap)
    await auth.publish_key()
    _, token = await auth.user(*(f"STOCK_CARDS_VIEW|{s}" for s in stores))
    api, web = _port(), _port()
    work = Path(tempfile.mkdtemp(prefix="bench-web-"))
    common = {"AKIBA_KAFKA_BOOTSTRAP_SERVERS": bootstrap, "AKIBA_LOG_LEVEL": "WARNING"}
    procs = [
        ServiceProcess("akiba_inventory", ["serve", "--roles", "api"],
                       {**common, "AKIBA_DATABASE_URL": dsn, "AKIBA_HTTP_PORT": str(api)},
                       work / "inventory.log").start(),
        ServiceProcess("akiba_web", ["serve"],
                       {**common, "AKIBA_HTTP_PORT": str(web),
                        "AKIBA_INVENTORY_URL": f"http://127.0.0.1:{api}"},
                       work / "web.log").start(),
    ]  # fmt: skip
    cookies = {"akiba_at": token, "akiba_lang": "en"}
    bearer = {"authorization": f"Bearer {token}"}
    try:
        async with (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{web}", cookies=cookies, timeout=30) as w,
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{api}", headers=bearer, timeout=30) as a,
        ):

            async def signed_in() -> bool:
                for p in procs:
                    assert p.returncode is None, p.output()[-3000:]
                try:
                    return (await w.get("/app/")).status_code == 200
                except httpx.TransportError:
                    return False

            await wait_until(signed_in, what="the web app to know the user", timeout=120)
            soh_page = f"/app/stores/{big}/stock"
            figures = {
                "dashboard (3,000 stores)": await _timed(lambda: w.get("/app/")),
                "raw: GET /alerts, one page": await _timed(lambda: a.get("/alerts?size=100")),
                "SOH page, 5,000-line store": await _timed(lambda: w.get(soh_page)),
                "raw: GET stock-on-hand, one page": await _timed(
                    lambda: a.get(f"/stores/{big}/stock-on-hand?size=100")
                ),
            }
            out: dict[str, float] = {"alerts on the scale set": float(alerts)}
            for name, f in figures.items():
                out[f"{name} p50 ms"] = f["p50"]
                out[f"{name} p90 ms"] = f["p90"]
            out["dashboard / raw alerts page (p50)"] = (
                figures["dashboard (3,000 stores)"]["p50"]
                / figures["raw: GET /alerts, one page"]["p50"]
            )
            assets = {p: await _weight(w, f"/app/static/{p}") for p in ("app.css", "app.js",
                                                                         "icon.svg")}  # fmt: skip
            dashboard = await _weight(w, "/app/")
            soh = await _weight(w, soh_page)
            out["dashboard HTML KB (gzip)"] = dashboard / 1024
            out["SOH page HTML KB (gzip)"] = soh / 1024
            out["assets KB (css+js+icon, gzip)"] = sum(assets.values()) / 1024
            out["dashboard first load KB (HTML + assets, gzip)"] = (
                dashboard + sum(assets.values())
            ) / 1024
            return out
    finally:
        for p in procs:
            p.stop()
