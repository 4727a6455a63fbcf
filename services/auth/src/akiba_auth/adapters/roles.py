"""Roles and role assignments."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_auth.domain.errors import Conflict
from akiba_auth.domain.model import Assignment, Role, Scope
from akiba_contracts.rights import Right, RightType
from akiba_platform import Connection

_ROLE = "r.role_id, r.name, r.description, r.right_type, r.rights"


def _role(r: Any) -> Role:
    rights = frozenset(Right(x) for x in r["rights"])
    return Role(r["role_id"], r["name"], RightType(r["right_type"]), rights, r["description"])


def _assignment(r: Any) -> Assignment:
    scope = Scope(r["program_id"], r["node_id"], r["warehouse_id"])
    return Assignment(r["assignment_id"], _role(r), scope)


class AsyncpgRoleRepository:
    """The roles and role_assignments tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add(self, role: Role) -> None:
        """Insert a role; Conflict if the name is taken."""
        try:
            await self._conn.execute(
                "insert into roles (role_id, name, description, right_type, rights)"
                " values ($1, $2, $3, $4, $5)",
                role.role_id,
                role.name,
                role.description,
                str(role.right_type),
                sorted(str(r) for r in role.rights),
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a role named {role.name!r} exists") from None

    async def save(self, role: Role) -> None:
        """Write back a role's rights and description."""
        await self._conn.execute(
            "update roles set rights = $2, description = $3 where role_id = $1",
            role.role_id,
            sorted(str(r) for r in role.rights),
            role.description,
        )

    async def get(self, role_id: UUID) -> Role | None:
        """The role with this id."""
        r = await self._conn.fetchrow(f"select {_ROLE} from roles r where role_id = $1", role_id)
        return None if r is None else _role(r)

    async def by_name(self, name: str) -> Role | None:
        """The role with this name, in any case."""
        r = await self._conn.fetchrow(
            f"select {_ROLE} from roles r where lower(name) = lower($1)", name
        )
        return None if r is None else _role(r)

    async def all(self) -> list[Role]:
        """Every role by name."""
        return [
            _role(r) for r in await self._conn.fetch(f"select {_ROLE} from roles r order by name")
        ]

    async def assign(self, user_id: UUID, a: Assignment) -> None:
        """Give a role to a user; Conflict if the same scope is already given."""
        s = a.scope
        try:
            await self._conn.execute(
                "insert into role_assignments"
                " (assignment_id, user_id, role_id, program_id, node_id, warehouse_id)"
                " values ($1, $2, $3, $4, $5, $6)",
                a.assignment_id,
                user_id,
                a.role.role_id,
                s.program_id,
                s.node_id,
                s.warehouse_id,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict("the user already has this role in this scope") from None

    async def unassign(self, user_id: UUID, assignment_id: UUID) -> bool:
        """Take a role assignment away; whether it existed."""
        status = await self._conn.execute(
            "delete from role_assignments where user_id = $1 and assignment_id = $2",
            user_id,
            assignment_id,
        )
        return bool(status.endswith(" 1"))

    async def of_user(self, user_id: UUID) -> list[Assignment]:
        """The user's role assignments with their roles."""
        rows = await self._conn.fetch(
            f"select a.assignment_id, a.program_id, a.node_id, a.warehouse_id, {_ROLE}"
            " from role_assignments a join roles r using (role_id) where a.user_id = $1"
            " order by r.name, a.assignment_id",
            user_id,
        )
        return [_assignment(r) for r in rows]

    async def holders(self, role_id: UUID) -> list[UUID]:
        """Users who hold the role in any scope."""
        rows = await self._conn.fetch(
            "select distinct user_id from role_assignments where role_id = $1", role_id
        )
        return [r["user_id"] for r in rows]

    async def node_holders(self) -> list[UUID]:
        """Users with a role at any supervisory node (a tree change may touch them)."""
        rows = await self._conn.fetch(
            "select distinct user_id from role_assignments where node_id is not null"
        )
        return [r["user_id"] for r in rows]
