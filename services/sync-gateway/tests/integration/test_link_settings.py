"""The link to central is https unless a lab says otherwise; a gateway process behind a captive
portal keeps serving the site (both through real `serve` processes, SQLite only)."""

from __future__ import annotations

import http.server
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_devtools.testing import ServiceProcess, wait_until
from akiba_sync_gateway import bootstrap
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.demo import DEMO_SITE
from akiba_sync_gateway.settings import Settings

from ..site import PASSWORD, Site, receipt, seed
from .test_sync import _receipts


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_link_must_be_https_unless_a_lab_declares_plain_http() -> None:
    secure = {"hub_url": "https://hub.example.org", "auth_url": "https://auth.example.org"}
    assert Settings(**secure).link_problem() is None
    plain = Settings(**{**secure, "hub_url": "http://hub.example.org"})
    assert "AKIBA_GATEWAY_HUB_URL=http://hub.example.org is not https" in str(plain.link_problem())
    assert Settings(**{**secure, "auth_url": "http://10.0.0.1:8104"}).link_problem()
    assert Settings(hub_url="http://127.0.0.1:1", insecure_link=True).link_problem() is None
    assert "not an http(s) URL" in str(Settings(**{**secure, "hub_url": "hub"}).link_problem())


def test_the_demo_site_make_run_starts_declares_its_plain_http_link_a_lab(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in DEMO_SITE.env.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.hub_url.startswith("http://") and settings.insecure_link
    assert settings.link_problem() is None


async def test_only_roles_that_talk_to_central_need_the_secure_link(db: Database) -> None:
    settings = Settings(hub_url="http://127.0.0.1:1", auth_url="http://127.0.0.1:2")
    assert set(await bootstrap.roles(settings, db, ["api"])) == {"api"}  # offline: no link
    for roles in (["forward"], ["api", "pull"]):
        with pytest.raises(SystemExit, match="is not https"):
            await bootstrap.roles(settings, db, roles)


def _gateway(tmp_path: Path, hub: str, **env: str) -> ServiceProcess:
    settings = {
        "AKIBA_GATEWAY_DATABASE_PATH": str(tmp_path / "gateway.sqlite3"),
        "AKIBA_GATEWAY_HUB_URL": hub,
        "AKIBA_GATEWAY_AUTH_URL": hub,
        "AKIBA_GATEWAY_HTTP_PORT": str(_free_port()),
        "AKIBA_GATEWAY_INSECURE_LINK": "0",
        **env,
    }
    return ServiceProcess("akiba_sync_gateway", ["serve"], settings, tmp_path / "gw.log").start()


async def test_a_gateway_told_a_plain_http_hub_refuses_to_start_in_one_line(
    tmp_path: Path,
) -> None:
    gateway = _gateway(tmp_path, "http://hub.example.org")
    try:
        assert gateway.wait(60) != 0
    finally:
        gateway.stop()
    lines = gateway.output().strip().splitlines()
    assert lines[-1] == (
        "akiba-sync-gateway: AKIBA_GATEWAY_HUB_URL=http://hub.example.org is not https; set an"
        " https URL (or AKIBA_GATEWAY_INSECURE_LINK=1 for a lab or test, never a real site)"
    )


class _Portal(http.server.BaseHTTPRequestHandler):
    """Every request, whatever it asks, gets the network's sign-in page."""

    def _page(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        page = b"<html><body>Sign in to use this network</body></html>"
        self.send_response(200)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(page)))
        self.end_headers()
        self.wfile.write(page)

    do_GET = do_POST = _page

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def portal() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    thread.join(5)
    server.server_close()


def _failing_loops(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as c:
        return dict(c.execute("SELECT loop, kind FROM sync_loops").fetchall())


async def test_a_gateway_behind_a_captive_portal_keeps_serving_the_site_and_says_why_it_cannot_sync(
    tmp_path: Path, site: Site, portal: str
) -> None:
    db = Database(str(tmp_path / "gateway.sqlite3"))
    creds = site.credentials({"clerk": site.grant(Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW)})
    await seed(db, site, creds)
    await _receipts(db, site, 2)  # something to push
    db.close()
    gateway = _gateway(
        tmp_path, portal, AKIBA_GATEWAY_SITE_ID=str(site.site_id), AKIBA_GATEWAY_INSECURE_LINK="1",
        AKIBA_GATEWAY_BACKOFF_BASE_SECONDS="0.05", AKIBA_GATEWAY_BACKOFF_MAX_SECONDS="0.2",
        AKIBA_GATEWAY_CREDENTIALS_INTERVAL_SECONDS="0.1",
    )  # fmt: skip
    url = f"http://127.0.0.1:{gateway.env['AKIBA_GATEWAY_HTTP_PORT']}"
    try:
        failing = {"push": "unreadable", "pull": "unreadable", "credentials": "unreadable"}
        path = tmp_path / "gateway.sqlite3"
        await wait_until(
            lambda: gateway.returncode is not None or _failing_loops(path) == failing,
            timeout=60,
            what="all three loops failing",
        )
        async with httpx.AsyncClient(base_url=url) as c:
            form = {"grant_type": "password", "username": "clerk", "password": PASSWORD}
            token = (await c.post("/oauth/token", data=form)).json()["access_token"]
            auth = {"authorization": f"Bearer {token}"}
            r = await c.post(
                f"/stores/{site.store_id}/receipts", json=receipt(site, 5), headers=auth
            )
            assert r.status_code == 201, r.text
            status = (await c.get("/sync/status", headers=auth)).json()
        assert gateway.returncode is None, gateway.output()[-3000:]
        assert status["not_forwarded"] == 3
        for loop in ("push", "pull", "credentials"):
            assert status["loops"][loop]["failing_since"] is not None
            assert "text/html" in status["loops"][loop]["last_error"]
    finally:
        gateway.stop()
