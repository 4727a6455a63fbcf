"""Requisition's app on a fresh migrated database, an administrator's token, the outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import uuid4

import asyncpg
import httpx
import pytest

from akiba_contracts.envelope import decode
from akiba_devtools.testing.plugin import Databases
from akiba_platform.db import create_pool
from akiba_platform.testing.tokens import TestIssuer
from akiba_requisition.api.app import create_app
from akiba_requisition.bootstrap import MIGRATIONS
from akiba_requisition.settings import Settings


class Api:
    """The app, a token holding PROGRAMS_MANAGE, and what the outbox holds."""

    def __init__(
        self, pool: asyncpg.Pool[Any], client: httpx.AsyncClient, issuer: TestIssuer
    ) -> None:
        self.pool, self.client, self.issuer = pool, client, issuer
        _, self.token = issuer.user("PROGRAMS_MANAGE")

    async def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        token: str | None = None,
        if_match: int | str | None = None,
        **params: Any,
    ) -> httpx.Response:
        headers = {"authorization": f"Bearer {token or self.token}"}
        if if_match is not None:
            headers["if-match"] = f'"{if_match}"' if isinstance(if_match, int) else if_match
        return await self.client.request(method, path, json=body, params=params, headers=headers)

    async def made(self, path: str, body: dict[str, Any], **kw: Any) -> dict[str, Any]:
        """POST that must create; the created record."""
        r = await self.call("POST", path, body, **kw)
        assert r.status_code == 201, r.text
        assert r.headers["etag"] == f'"{r.json()["version"]}"'
        made: dict[str, Any] = r.json()
        return made

    @staticmethod
    def code() -> str:
        """A code no other test uses."""
        return f"C-{uuid4().hex[:10]}"

    async def program(self, **fields: Any) -> dict[str, Any]:
        """A new program with a fresh code."""
        return await self.made("/programs", {"code": self.code(), "name": "Immunization", **fields})

    async def schedule(self) -> dict[str, Any]:
        """A new schedule with a fresh code."""
        return await self.made("/schedules", {"code": self.code(), "name": "Monthly"})

    async def events(self, topic: str) -> list[tuple[str, dict[str, Any]]]:
        """(key, payload) of each outbox row of a topic, oldest first."""
        sql = "select key, value from outbox where topic = $1 order by id"
        rows = await self.pool.fetch(sql, topic)
        return [(r["key"], decode(bytes(r["value"])).data or {}) for r in rows]


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[Api]:
    pool = await create_pool(await databases.create({"requisition": MIGRATIONS}))
    issuer = TestIssuer()
    app = create_app(Settings(), pool, issuer.authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://requisition") as c:
            yield Api(pool, c, issuer)
    await pool.close()
