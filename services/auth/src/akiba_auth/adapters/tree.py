"""Supervisory nodes and requisition groups."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

from akiba_auth.domain.errors import Conflict
from akiba_auth.domain.tree import RequisitionGroup, SupervisionTree, SupervisoryNode, tree_of
from akiba_platform import Connection

_NODE = "node_id, code, name, facility_id, parent_id"
_GROUP = (
    "g.group_id, g.code, g.name, g.node_id,"
    " array(select facility_id from requisition_group_members m"
    "  where m.group_id = g.group_id order by 1) as facility_ids,"
    " array(select program_id from requisition_group_programs p"
    "  where p.group_id = g.group_id order by 1) as program_ids"
)


def _node(r: Any) -> SupervisoryNode:
    return SupervisoryNode(r["node_id"], r["code"], r["name"], r["facility_id"], r["parent_id"])


def _group(r: Any) -> RequisitionGroup:
    return RequisitionGroup(
        r["group_id"],
        r["code"],
        r["name"],
        r["node_id"],
        frozenset(r["facility_ids"]),
        frozenset(r["program_ids"]),
    )


class AsyncpgTreeRepository:
    """The supervisory_nodes and requisition_groups tables."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def add_node(self, n: SupervisoryNode) -> None:
        """Insert a node; Conflict if the code is taken."""
        try:
            await self._conn.execute(
                f"insert into supervisory_nodes ({_NODE}) values ($1, $2, $3, $4, $5)",
                n.node_id,
                n.code,
                n.name,
                n.facility_id,
                n.parent_id,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a supervisory node with code {n.code!r} exists") from None

    async def save_node(self, n: SupervisoryNode) -> None:
        """Write back a node's name, facility and parent."""
        await self._conn.execute(
            "update supervisory_nodes set name = $2, facility_id = $3, parent_id = $4"
            " where node_id = $1",
            n.node_id,
            n.name,
            n.facility_id,
            n.parent_id,
        )

    async def node(self, node_id: UUID) -> SupervisoryNode | None:
        """The node with this id."""
        r = await self._conn.fetchrow(
            f"select {_NODE} from supervisory_nodes where node_id = $1", node_id
        )
        return None if r is None else _node(r)

    async def nodes(self) -> list[SupervisoryNode]:
        """Every node by code."""
        rows = await self._conn.fetch(f"select {_NODE} from supervisory_nodes order by code")
        return [_node(r) for r in rows]

    async def add_group(self, g: RequisitionGroup) -> None:
        """Insert a group with its members and programs; Conflict if the code is taken."""
        try:
            await self._conn.execute(
                "insert into requisition_groups (group_id, code, name, node_id)"
                " values ($1, $2, $3, $4)",
                g.group_id,
                g.code,
                g.name,
                g.node_id,
            )
        except asyncpg.UniqueViolationError:
            raise Conflict(f"a requisition group with code {g.code!r} exists") from None
        await self.set_members(g.group_id, g.facility_ids)
        await self.set_programs(g.group_id, g.program_ids)

    async def set_members(self, group_id: UUID, facility_ids: frozenset[UUID]) -> None:
        """Replace the group's member facilities."""
        await self._replace("requisition_group_members", "facility_id", group_id, facility_ids)

    async def set_programs(self, group_id: UUID, program_ids: frozenset[UUID]) -> None:
        """Replace the group's programs."""
        await self._replace("requisition_group_programs", "program_id", group_id, program_ids)

    async def _replace(self, table: str, column: str, group_id: UUID, ids: frozenset[UUID]) -> None:
        await self._conn.execute(f"delete from {table} where group_id = $1", group_id)
        await self._conn.execute(
            f"insert into {table} (group_id, {column}) select $1, unnest($2::uuid[])",
            group_id,
            sorted(ids),
        )

    async def group(self, group_id: UUID) -> RequisitionGroup | None:
        """The group with this id."""
        r = await self._conn.fetchrow(
            f"select {_GROUP} from requisition_groups g where group_id = $1", group_id
        )
        return None if r is None else _group(r)

    async def groups(self) -> list[RequisitionGroup]:
        """Every group by code."""
        rows = await self._conn.fetch(f"select {_GROUP} from requisition_groups g order by code")
        return [_group(r) for r in rows]

    async def tree(self) -> SupervisionTree:
        """The whole tree (small: hundreds of nodes at most)."""
        return tree_of(await self.nodes(), await self.groups())
