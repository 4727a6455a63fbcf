"""What the site keeps of central's secrets: owner-only files, and only the users auth lists."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_sync_gateway.adapters.db import Database, connect
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.bootstrap import refresh_credentials
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.testing import FakeDownlink

from ..site import PASSWORD, Site, sign_in


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_the_database_and_its_wal_and_shm_files_are_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    db = Database(str(path))
    try:
        await db.write(lambda c: c.execute("INSERT INTO sync_state VALUES ('probe', '1')"))
        files = [path, Path(f"{path}-wal"), Path(f"{path}-shm")]
        assert {f.name: _mode(f) for f in files} == {f.name: 0o600 for f in files}
    finally:
        db.close()


async def test_a_database_left_readable_by_others_is_made_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "gateway.sqlite3"
    Database(str(path)).close()
    os.chmod(path, 0o644)
    Database(str(path)).close()
    assert _mode(path) == 0o600


@pytest.fixture
async def gateway(seeded: Database, site: Site) -> AsyncIterator[tuple[Any, httpx.AsyncClient]]:
    app = create_app(Settings(site_id=site.site_id), seeded)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield app, c


async def test_a_user_missing_from_auths_latest_document_is_refused_at_once(
    gateway: tuple[Any, httpx.AsyncClient], seeded: Database, site: Site
) -> None:
    app, client = gateway
    headers = {"authorization": f"Bearer {await sign_in(client, 'clerk')}"}
    soh = f"/stores/{site.store_id}/stock-on-hand"
    assert (await client.get(soh, headers=headers)).status_code == 200
    only_viewer = site.credentials({"viewer": site.grant(Right.STOCK_CARDS_VIEW)})

    await refresh_credentials(seeded, FakeDownlink([], only_viewer), app.state.authority)

    assert (await client.get(soh, headers=headers)).status_code == 403
    form = {"grant_type": "password", "username": "clerk", "password": PASSWORD}
    assert (await client.post("/oauth/token", data=form)).status_code == 400
    await sign_in(client, "viewer")


def test_opening_another_connection_keeps_the_locks_the_first_one_holds(tmp_path: Path) -> None:
    """Closing any descriptor of a file drops the process's POSIX locks on it, SQLite's too:
    then another process may take the database from under a live connection (here, switch it
    out of WAL mode, which needs every other connection gone)."""
    path = str(tmp_path / "locks.sqlite3")
    first = connect(path)
    first.execute("CREATE TABLE t (x INTEGER)")
    first.execute("INSERT INTO t VALUES (1), (2)")
    reading = first.execute("SELECT x FROM t")  # a read in progress holds a shared lock
    second = connect(path)  # e.g. the reader connection opened after the writer
    other_process = subprocess.run(
        [sys.executable, "-c",
         "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], timeout=0,"
         " isolation_level=None); print(c.execute('PRAGMA journal_mode=DELETE').fetchone()[0])",
         path],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    reading.close()
    first.close()
    second.close()
    assert "locked" in other_process.stderr, other_process.stdout
