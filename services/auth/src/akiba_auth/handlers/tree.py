"""The supervision tree: nodes and requisition groups, each change published on auth.supervision."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from akiba_auth.domain.errors import GroupNotFound, NodeNotFound
from akiba_auth.domain.tree import RequisitionGroup, SupervisoryNode, check_parent
from akiba_auth.handlers.permissions import republish
from akiba_auth.outbound import group_changed, node_changed
from akiba_auth.uow import AuthUnitOfWork


async def _republish_supervisors(uow: AuthUnitOfWork) -> None:
    # Any user with a node-scoped role may gain or lose facilities; unchanged ones are skipped.
    await republish(uow, await uow.roles.node_holders())


async def _node(uow: AuthUnitOfWork, node_id: UUID) -> SupervisoryNode:
    node = await uow.tree.node(node_id)
    if node is None:
        raise NodeNotFound(f"supervisory node {node_id} does not exist")
    return node


async def _group(uow: AuthUnitOfWork, group_id: UUID) -> RequisitionGroup:
    group = await uow.tree.group(group_id)
    if group is None:
        raise GroupNotFound(f"requisition group {group_id} does not exist")
    return group


async def create_node(
    uow: AuthUnitOfWork,
    code: str,
    name: str,
    facility_id: UUID | None = None,
    parent_id: UUID | None = None,
) -> SupervisoryNode:
    """Add a node, under a parent or as a root."""
    node = SupervisoryNode(uuid4(), code, name, facility_id, parent_id)
    async with uow:
        await uow.lock_permissions()
        check_parent(await uow.tree.tree(), node.node_id, parent_id)
        await uow.tree.add_node(node)
        uow.publish(node_changed(node, datetime.now(UTC)))
        await uow.commit()
    return node


async def update_node(uow: AuthUnitOfWork, node_id: UUID, **changes: Any) -> SupervisoryNode:
    """Rename, relocate or move a node; moving it republishes the supervisors above."""
    async with uow:
        await uow.lock_permissions()
        node = replace(await _node(uow, node_id), **changes)
        check_parent(await uow.tree.tree(), node_id, node.parent_id)
        await uow.tree.save_node(node)
        node = await _node(uow, node_id)  # publish what was stored, not what was asked
        uow.publish(node_changed(node, datetime.now(UTC)))
        await _republish_supervisors(uow)
        await uow.commit()
    return node


async def create_group(
    uow: AuthUnitOfWork,
    code: str,
    name: str,
    node_id: UUID,
    facility_ids: frozenset[UUID],
    program_ids: frozenset[UUID],
) -> RequisitionGroup:
    """Add a group of facilities the node supervises for the programs."""
    group = RequisitionGroup(uuid4(), code, name, node_id, facility_ids, program_ids)
    async with uow:
        await uow.lock_permissions()
        await _node(uow, node_id)
        await uow.tree.add_group(group)
        uow.publish(group_changed(group, datetime.now(UTC)))
        await _republish_supervisors(uow)
        await uow.commit()
    return group


async def _change_group(
    uow: AuthUnitOfWork, group_id: UUID, field: str, ids: frozenset[UUID]
) -> RequisitionGroup:
    async with uow:
        await uow.lock_permissions()
        await _group(uow, group_id)
        if field == "facility_ids":
            await uow.tree.set_members(group_id, ids)
        else:
            await uow.tree.set_programs(group_id, ids)
        group = await _group(uow, group_id)
        uow.publish(group_changed(group, datetime.now(UTC)))
        await _republish_supervisors(uow)
        await uow.commit()
    return group


async def set_group_members(
    uow: AuthUnitOfWork, group_id: UUID, facility_ids: frozenset[UUID]
) -> RequisitionGroup:
    """Replace the facilities of a group."""
    return await _change_group(uow, group_id, "facility_ids", facility_ids)


async def set_group_programs(
    uow: AuthUnitOfWork, group_id: UUID, program_ids: frozenset[UUID]
) -> RequisitionGroup:
    """Replace the programs of a group."""
    return await _change_group(uow, group_id, "program_ids", program_ids)


async def republish_tree(uow: AuthUnitOfWork) -> tuple[int, int]:
    """Publish every node and group again (a consumer rebuilding its copy); the counts of each."""
    async with uow:
        await uow.lock_permissions()  # a snapshot no concurrent tree change can overtake
        now = datetime.now(UTC)
        nodes, groups = await uow.tree.nodes(), await uow.tree.groups()
        uow.publish(*(node_changed(n, now) for n in nodes))
        uow.publish(*(group_changed(g, now) for g in groups))
        await uow.commit()
    return len(nodes), len(groups)
