"""Users and their password credentials."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_auth.domain.errors import Conflict
from akiba_auth.domain.model import User
from akiba_platform import Connection

_COLUMNS = "user_id, username, email, active, home_facility_id"


def _user(r: Any) -> User:
    return User(r["user_id"], r["username"], r["email"], r["active"], r["home_facility_id"])


class AsyncpgUserRepository:
    """The users and password_credentials tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, user: User) -> None:
        """Insert a user; Conflict if the username is taken in any case."""
        try:
            await self._conn.execute(
                f"insert into users ({_COLUMNS}) values ($1, $2, $3, $4, $5)",
                user.user_id,
                user.username,
                user.email,
                user.active,
                user.home_facility_id,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"username {user.username!r} is taken") from None

    async def save(self, user: User) -> None:
        """Write back a changed user."""
        await self._conn.execute(
            "update users set email = $2, active = $3, home_facility_id = $4, updated_at = now()"
            " where user_id = $1",
            user.user_id,
            user.email,
            user.active,
            user.home_facility_id,
        )

    async def get(self, user_id: UUID, *, lock: bool = False) -> User | None:
        """The user with this id."""
        suffix = " for update" if lock else ""
        r = await self._conn.fetchrow(
            f"select {_COLUMNS} from users where user_id = $1{suffix}", user_id
        )
        return None if r is None else _user(r)

    async def page(self, limit: int, offset: int) -> list[User]:
        """Users in username order."""
        rows = await self._conn.fetch(
            f"select {_COLUMNS} from users order by lower(username) limit $1 offset $2",
            limit,
            offset,
        )
        return [_user(r) for r in rows]

    async def login(self, username: str) -> tuple[User, str | None] | None:
        """The user signing in under this name (any case) and their password hash."""
        r = await self._conn.fetchrow(
            f"select {', '.join('u.' + c for c in _COLUMNS.split(', '))}, p.hash from users u"
            " left join password_credentials p using (user_id) where lower(u.username) = lower($1)",
            username,
        )
        return None if r is None else (_user(r), r["hash"])

    async def set_password(self, user_id: UUID, hash_: str) -> None:
        """Store a new password hash."""
        await self._conn.execute(
            "insert into password_credentials (user_id, hash) values ($1, $2)"
            " on conflict (user_id) do update set hash = excluded.hash, changed_at = now()",
            user_id,
            hash_,
        )

    async def all_ids(self) -> list[UUID]:
        """Every user's id."""
        return [r["user_id"] for r in await self._conn.fetch("select user_id from users")]

    async def site_candidates(
        self, store_ids: list[UUID]
    ) -> list[tuple[User, str | None, int | None]]:
        """Active users who may work at these stores, with password hash and published version.

        A superset: home facility or warehouse among the stores, or any node-scoped role
        (whose facilities only the supervision tree resolves); the caller decides.
        """
        rows = await self._conn.fetch(
            f"select {', '.join('u.' + c for c in _COLUMNS.split(', '))}, p.hash, pp.version"
            " from users u"
            " left join password_credentials p using (user_id)"
            " left join published_permissions pp using (user_id)"
            " where u.active and (u.home_facility_id = any($1::uuid[]) or exists ("
            "   select 1 from role_assignments a where a.user_id = u.user_id"
            "   and (a.warehouse_id = any($1::uuid[]) or a.node_id is not null)))"
            " order by lower(u.username)",
            store_ids,
        )
        return [(_user(r), r["hash"], r["version"]) for r in rows]
