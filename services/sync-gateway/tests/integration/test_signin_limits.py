"""Local sign-in limits, as auth's: per user and per address, 429 with Retry-After."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import PASSWORD, Site


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The app's clock."""
    return Clock()


@pytest.fixture
async def gateway(seeded: Database, site: Site, clock: Clock) -> AsyncIterator[httpx.AsyncClient]:
    """The local API with a clock the test moves and a 60 s window."""
    settings = Settings(site_id=site.site_id, login_window_seconds=60)
    app = create_app(settings, seeded, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c


async def _sign_in(client: httpx.AsyncClient, username: str, password: str) -> httpx.Response:
    form = {"grant_type": "password", "username": username, "password": password}
    return await client.post("/oauth/token", data=form)


async def test_five_failures_lock_the_user_out_until_the_window_passes(
    gateway: httpx.AsyncClient, clock: Clock
) -> None:
    for _ in range(5):
        assert (await _sign_in(gateway, "clerk", "nope")).status_code == 400
    r = await _sign_in(gateway, "Clerk", PASSWORD)  # even the right password, any case
    assert (r.status_code, r.json()["error"]) == (429, "temporarily_unavailable")
    assert 1 <= int(r.headers["retry-after"]) <= 60
    clock.now += timedelta(seconds=61)
    assert (await _sign_in(gateway, "clerk", PASSWORD)).status_code == 200


async def test_a_successful_sign_in_forgets_the_users_failures(gateway: httpx.AsyncClient) -> None:
    for _ in range(4):
        assert (await _sign_in(gateway, "clerk", "nope")).status_code == 400
    assert (await _sign_in(gateway, "clerk", PASSWORD)).status_code == 200
    for _ in range(4):
        assert (await _sign_in(gateway, "clerk", "nope")).status_code == 400
    assert (await _sign_in(gateway, "clerk", PASSWORD)).status_code == 200


async def test_twenty_failures_from_one_address_lock_out_every_user_there(
    gateway: httpx.AsyncClient,
) -> None:
    for i in range(20):
        assert (await _sign_in(gateway, f"guess{i}", "nope")).status_code == 400
    r = await _sign_in(gateway, "viewer", PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


async def test_concurrent_wrong_passwords_get_no_more_guesses_than_the_limit(
    gateway: httpx.AsyncClient,
) -> None:
    answers = await asyncio.gather(*(_sign_in(gateway, "clerk", "nope") for _ in range(16)))
    statuses = [r.status_code for r in answers]
    assert (statuses.count(400), statuses.count(429)) == (5, 11)


async def test_concurrent_guesses_from_one_address_get_no_more_than_its_limit(
    gateway: httpx.AsyncClient,
) -> None:
    answers = await asyncio.gather(*(_sign_in(gateway, f"guess{i}", "nope") for i in range(30)))
    statuses = [r.status_code for r in answers]
    assert (statuses.count(400), statuses.count(429)) == (20, 10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_x_forwarded_for_does_not_dodge_the_address_limit_by_default(
    seeded: Database, site: Site
) -> None:
    port, stop = _free_port(), asyncio.Event()
    settings = Settings(site_id=site.site_id, http_port=port)
    api = (await bootstrap.roles(settings, seeded, ["api"]))["api"]
    task = asyncio.create_task(api(stop))
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            await _until_up(client)
            for i in range(20):
                form = {"grant_type": "password", "username": f"guess{i}", "password": "nope"}
                spoofed = {"x-forwarded-for": f"203.0.113.{i}"}
                r = await client.post("/oauth/token", data=form, headers=spoofed)
                assert r.status_code == 400
            form = {"grant_type": "password", "username": "viewer", "password": PASSWORD}
            r = await client.post("/oauth/token", data=form, headers={"x-forwarded-for": "1.2.3.4"})
    finally:
        stop.set()
        await task
    assert r.status_code == 429


async def _until_up(client: httpx.AsyncClient) -> None:
    for _ in range(250):
        try:
            await client.get("/health")
            return
        except httpx.ConnectError:
            await asyncio.sleep(0.02)
