"""The fulfillment app on a fresh migrated database, called with tokens from a test issuer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import decode
from akiba_devtools.testing.plugin import Databases
from akiba_fulfillment.api.app import create_app
from akiba_fulfillment.bootstrap import MIGRATIONS
from akiba_fulfillment.settings import Settings
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer


class Api:
    """The app, and an administrator holding SUPPLY_LINES_MANAGE."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        _, self.token = issuer.user("SUPPLY_LINES_MANAGE")

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        headers: dict[str, str] | None = None,
        **params: Any,
    ) -> httpx.Response:
        """Call the app as the administrator (or with another token)."""
        sent = {"authorization": f"Bearer {token or self.token}", **(headers or {})}
        return await self.client.request(method, path, json=body, params=params, headers=sent)

    async def line(self, **body: Any) -> dict[str, Any]:
        """A new supply line's answer; a fresh node, program and supplier unless given."""
        r = await self.call("POST", "/supply-lines", {**self.body(), **body})
        assert r.status_code == 201, r.text
        answer: dict[str, Any] = r.json()
        return answer

    @staticmethod
    def body() -> dict[str, Any]:
        """A request body for a supply line nobody else uses."""
        return {
            "supervisory_node_id": str(uuid4()),
            "program_id": str(uuid4()),
            "supplying_facility_id": str(uuid4()),
            "description": "National Medical Stores",
        }

    async def events(self) -> list[tuple[str, str, dict[str, Any]]]:
        """(topic, key, payload) of every outbox row, oldest first."""
        rows = await self.pool.fetch("select topic, key, value from outbox order by id")
        return [(r["topic"], r["key"], decode(r["value"]).data or {}) for r in rows]


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"fulfillment": MIGRATIONS}), max_size=5)
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://svc") as client:
                yield Api(pool, client, issuer)
    finally:
        await pool.close()
