"""The auth app on a fresh database, its administrator, and a read model fed from its outbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from uuid import UUID

import asyncpg
import httpx
import pytest

from akiba_auth.admin import create_admin
from akiba_auth.api.app import create_app
from akiba_auth.bootstrap import MIGRATIONS
from akiba_auth.domain.escalation import OPERATOR
from akiba_auth.domain.model import Scope
from akiba_auth.handlers import users
from akiba_auth.settings import Settings
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.envelope import decode
from akiba_contracts.payloads import SigningKeyPublished, UserPermissionsChanged
from akiba_devtools.testing.plugin import Databases
from akiba_platform.auth import Authorizer, KeyRing, PermissionStore
from akiba_platform.db import create_pool

ADMIN, ADMIN_PASSWORD = "root", "correct horse battery staple"


class AuthApi:
    """Calls the app; `sync` plays relay and feed: outbox rows → the authorizer's read model."""

    ADMIN, ADMIN_PASSWORD = ADMIN, ADMIN_PASSWORD

    def __init__(
        self,
        pool: asyncpg.Pool[Any],
        client: httpx.AsyncClient,
        settings: Settings,
        authorizer: Authorizer,
    ) -> None:
        self.pool, self.client, self.settings = pool, client, settings
        self.authorizer = authorizer
        self.admin: dict[str, str] = {}
        self.app: Any = None

    def client_at(self, address: str) -> httpx.AsyncClient:
        """A client whose requests come from this address (close it after use)."""
        transport = httpx.ASGITransport(app=self.app, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://auth")

    async def events(self, topic: str, key: str | None = None) -> list[dict[str, Any]]:
        """The payloads written to the outbox for a topic (and key), oldest first."""
        rows = await self.pool.fetch(
            "select key, value from outbox where topic = $1 order by id", topic
        )
        return [decode(r["value"]).data or {} for r in rows if key is None or r["key"] == key]

    async def sync(self) -> None:
        """Apply every published key and permission to the authorizer."""
        for data in await self.events("auth.signing-keys"):
            self.authorizer.keys.add(SigningKeyPublished(**data))
        for data in await self.events("auth.permissions"):
            self.authorizer.permissions.apply(UserPermissionsChanged(**data))

    async def token(self, **form: str) -> httpx.Response:
        """POST /oauth/token."""
        return await self.client.post("/oauth/token", data=form)

    async def login(self, username: str, password: str) -> dict[str, Any]:
        """A successful password grant's body."""
        r = await self.token(grant_type="password", username=username, password=password)
        assert r.status_code == 200, r.text
        body: dict[str, Any] = r.json()
        return body

    async def bearer(self, username: str, password: str) -> dict[str, str]:
        """Authorization headers for a user, after syncing the read model."""
        await self.sync()
        return {"authorization": f"Bearer {(await self.login(username, password))['access_token']}"}

    async def post(self, path: str, body: Any = None, **kw: Any) -> httpx.Response:
        """POST as the administrator."""
        await self.sync()
        return await self.client.post(path, json=body, headers=self.admin, **kw)

    async def put(self, path: str, body: Any) -> httpx.Response:
        """PUT as the administrator."""
        await self.sync()
        return await self.client.put(path, json=body, headers=self.admin)

    async def patch(self, path: str, body: Any) -> httpx.Response:
        """PATCH as the administrator."""
        await self.sync()
        return await self.client.patch(path, json=body, headers=self.admin)

    async def get(self, path: str) -> httpx.Response:
        """GET as the administrator."""
        await self.sync()
        return await self.client.get(path, headers=self.admin)

    async def delete(self, path: str) -> httpx.Response:
        """DELETE as the administrator."""
        await self.sync()
        return await self.client.delete(path, headers=self.admin)

    async def user(self, username: str, password: str = "pa55word-long", **body: Any) -> UUID:
        """A new user with a password."""
        r = await self.post("/users", {"username": username, **body})
        assert r.status_code == 201, r.text
        user_id = UUID(r.json()["user_id"])
        r = await self.put(f"/users/{user_id}/password", {"password": password})
        assert r.status_code == 204, r.text
        return user_id

    async def hold(
        self,
        role_id: str,
        program: UUID | None = None,
        node: str | None = None,
        warehouse: UUID | None = None,
        username: str = ADMIN,
    ) -> None:
        """Give a user (the administrator by default) a role as the operator would.

        Nobody may grant through the API what they do not hold, so the rights an
        administrator delegates come from the server's command line, the trusted root.
        """
        async with AuthUnitOfWork(self.pool) as uow:
            found = await uow.users.login(username)
        assert found is not None
        scope = Scope(program, UUID(node) if node else None, warehouse)
        await users.assign_role(
            AuthUnitOfWork(self.pool), OPERATOR, found[0].user_id, UUID(role_id), scope
        )

    async def permissions(self, user_id: UUID) -> list[dict[str, Any]]:
        """Every UserPermissionsChanged written for a user."""
        return await self.events("auth.permissions", str(user_id))


def fast_settings(dsn: str, **overrides: Any) -> Settings:
    """Settings on the test database with a cheap argon2 cost (tests hash many passwords)."""
    values: dict[str, Any] = {
        "database_url": dsn,
        "argon2_time_cost": 1,
        "argon2_memory_kib": 1024,
        "login_failures_per_user": 3,
        "login_failures_per_address": 10,
        **overrides,
    }
    return Settings(**values)


def test_authorizer(settings: Settings) -> Authorizer:
    """An authorizer with empty keys and permissions, filled by `AuthApi.sync`."""
    return Authorizer(
        KeyRing(), PermissionStore(), issuer=settings.auth_issuer, audience=settings.auth_audience
    )


@pytest.fixture
async def api(databases: Databases) -> AsyncIterator[AuthApi]:
    dsn = await databases.create({"auth": MIGRATIONS})
    settings = fast_settings(dsn)
    pool = await create_pool(dsn, max_size=10)
    authorizer = test_authorizer(settings)
    app = create_app(settings, pool, authorizer)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://auth") as client:
            a = AuthApi(pool, client, settings, authorizer)
            a.app = app
            await create_admin(settings, ADMIN, ADMIN_PASSWORD)
            a.admin = await a.bearer(ADMIN, ADMIN_PASSWORD)
            yield a
    await pool.close()
