"""A clerk's app retrying a receipt after a timeout never doubles stock: the gateway as a real
process (uvicorn, the fast lane, the SQLite writer thread)."""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import uuid4

import httpx
import orjson
import pytest

from akiba_contracts.rights import Right
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_devtools.testing.raw_http import post_and_hang_up
from akiba_sync_gateway.adapters.db import Database

from ..site import PASSWORD, Site, receipt, seed


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Gateway:
    """A seeded site database and the gateway's API process on it."""

    site: Site
    path: Path
    workdir: Path
    port: int
    token: str = ""
    processes: list[ServiceProcess] = field(default_factory=list)

    def start(self, **env: str) -> ServiceProcess:
        proc = ServiceProcess(
            "akiba_sync_gateway",
            ["serve", "--roles", "api"],
            {
                "AKIBA_GATEWAY_SITE_ID": str(self.site.site_id),
                "AKIBA_GATEWAY_DATABASE_PATH": str(self.path),
                "AKIBA_GATEWAY_HTTP_PORT": str(self.port),
                **env,
            },
            self.workdir / f"gateway-{uuid4().hex[:6]}.log",
        ).start()
        self.processes.append(proc)
        return proc

    async def ready(self, proc: ServiceProcess) -> None:
        async def signed_in() -> str | None:
            assert proc.returncode is None, proc.output()[-3000:]
            form = {"grant_type": "password", "username": "clerk", "password": PASSWORD}
            try:
                async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}") as c:
                    r = await c.post("/oauth/token", data=form)
            except httpx.TransportError:
                return None
            return str(r.json()["access_token"]) if r.status_code == 200 else None

        self.token = await wait_until(signed_in, what="the gateway to sign the clerk in")

    def headers(self, key: str) -> dict[str, str]:
        return {"authorization": f"Bearer {self.token}", "idempotency-key": key}

    async def hang_up(self, key: str, quantity: int) -> None:
        body = orjson.dumps(receipt(self.site, quantity))
        path = f"/stores/{self.site.store_id}/receipts"
        await post_and_hang_up(self.port, path, self.headers(key), body)

    async def receive(self, key: str, quantity: int) -> httpx.Response:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}") as c:
            return await c.post(
                f"/stores/{self.site.store_id}/receipts",
                json=receipt(self.site, quantity),
                headers=self.headers(key),
            )

    def count(self, table: str) -> int:
        with sqlite3.connect(self.path, timeout=30) as conn:
            return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


@pytest.fixture
async def gateway(tmp_path: Path) -> AsyncIterator[Gateway]:
    site = Site()
    path = tmp_path / "site.sqlite3"
    db = Database(str(path))
    rights = [Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW]
    await seed(db, site, site.credentials({"clerk": site.grant(*rights)}))
    db.close()
    gw = Gateway(site, path, tmp_path, _free_port())
    yield gw
    for proc in gw.processes:
        proc.stop()


async def test_a_receipt_resent_after_a_dropped_connection_is_recorded_once(
    gateway: Gateway,
) -> None:
    await gateway.ready(gateway.start())
    key = str(uuid4())
    await gateway.hang_up(key, 12)
    await wait_until(lambda: gateway.count("ledger"), what="the first receipt recorded")
    again = await gateway.receive(key, 12)
    assert again.status_code == 201 and again.headers["idempotent-replayed"] == "true"
    with sqlite3.connect(gateway.path) as conn:
        recorded = conn.execute("SELECT movement_id FROM ledger").fetchone()[0]
    assert again.json()["movement_id"] == recorded
    await asyncio.sleep(0.3)
    assert (gateway.count("ledger"), gateway.count("outbox")) == (1, 1)


async def test_a_receipt_resent_at_once_is_recorded_once(gateway: Gateway) -> None:
    await gateway.ready(gateway.start())
    key = str(uuid4())
    await gateway.hang_up(key, 7)
    again = await gateway.receive(key, 7)
    assert again.status_code == 201, again.text
    await asyncio.sleep(0.3)
    assert (gateway.count("ledger"), gateway.count("outbox")) == (1, 1)


async def test_a_crash_before_the_answer_is_stored_is_a_409_never_a_second_receipt(
    gateway: Gateway,
) -> None:
    crashing = gateway.start(AKIBA_CRASH_AT="idempotency-before-answer")
    await gateway.ready(crashing)
    key = str(uuid4())
    await gateway.hang_up(key, 9)
    assert await asyncio.to_thread(crashing.wait, 60) == 137
    assert gateway.count("ledger") == 1, "acknowledged or not, the receipt was durable"
    await gateway.ready(gateway.start(AKIBA_GATEWAY_IDEMPOTENCY_WAIT_SECONDS="0.3"))
    again = await gateway.receive(key, 9)
    assert again.status_code == 409 and "recorded once" in again.json()["detail"]
    assert gateway.count("ledger") == 1
