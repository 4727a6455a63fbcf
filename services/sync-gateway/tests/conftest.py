"""Fixtures: a fresh SQLite site per test, and the real app over httpx's ASGI transport."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from .site import Site, seed, sign_in


@pytest.fixture
def site() -> Site:
    """Fresh ids for this test."""
    return Site()


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    """The site's database in a temporary file."""
    database = Database(str(tmp_path / "gateway.sqlite3"))
    yield database
    database.close()


@pytest.fixture
async def seeded(db: Database, site: Site) -> Database:
    """The database after the site's first pull, with a clerk and a viewer cached."""
    rights = [Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW, Right.STOCK_INVENTORIES_EDIT]
    creds = site.credentials(
        {"clerk": site.grant(*rights), "viewer": site.grant(Right.STOCK_CARDS_VIEW)}
    )
    await seed(db, site, creds)
    return db


@pytest.fixture
async def client(seeded: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The local API on the seeded database."""
    app = create_app(Settings(site_id=site.site_id), seeded)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c


@pytest.fixture
async def clerk(client: httpx.AsyncClient) -> dict[str, str]:
    """Headers of a signed-in clerk (adjust, view, count at the store)."""
    return {"authorization": f"Bearer {await sign_in(client, 'clerk')}"}


@pytest.fixture
async def viewer(client: httpx.AsyncClient) -> dict[str, str]:
    """Headers of a signed-in user who may only view stock at the store."""
    return {"authorization": f"Bearer {await sign_in(client, 'viewer')}"}
