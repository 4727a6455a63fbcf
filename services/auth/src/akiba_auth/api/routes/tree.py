"""The supervision tree: supervisory nodes and requisition groups."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter

from akiba_auth.api.deps import Uow
from akiba_auth.api.schemas import (
    GroupRequest,
    GroupResponse,
    IdsRequest,
    NodeRequest,
    NodeResponse,
    UpdateNodeRequest,
)
from akiba_auth.domain.errors import GroupNotFound, NodeNotFound
from akiba_auth.handlers import tree
from akiba_contracts.rights import Right
from akiba_platform.auth import requires

router = APIRouter(tags=["supervision"])
NODES, GROUPS = Right.SUPERVISORY_NODES_MANAGE, Right.REQUISITION_GROUPS_MANAGE


@router.post("/supervisory-nodes", status_code=201, **requires(NODES))
async def create_node(body: NodeRequest, uow: Uow) -> NodeResponse:
    """Add a node under a parent (or at the top)."""
    return NodeResponse.of(await tree.create_node(uow, **body.model_dump()))


@router.get("/supervisory-nodes", **requires(NODES))
async def list_nodes(uow: Uow) -> list[NodeResponse]:
    """Every node."""
    async with uow:
        return [NodeResponse.of(n) for n in await uow.tree.nodes()]


@router.get("/supervisory-nodes/{node_id}", **requires(NODES))
async def get_node(node_id: UUID, uow: Uow) -> NodeResponse:
    """One node."""
    async with uow:
        node = await uow.tree.node(node_id)
    if node is None:
        raise NodeNotFound(f"supervisory node {node_id} does not exist")
    return NodeResponse.of(node)


@router.patch("/supervisory-nodes/{node_id}", **requires(NODES))
async def update_node(node_id: UUID, body: UpdateNodeRequest, uow: Uow) -> NodeResponse:
    """Rename, relocate or move a node (422 if the move makes a cycle)."""
    changes = body.model_dump(exclude_unset=True)
    if changes.get("name", "") is None:
        changes.pop("name")
    return NodeResponse.of(await tree.update_node(uow, node_id, **changes))


@router.post("/requisition-groups", status_code=201, **requires(GROUPS))
async def create_group(body: GroupRequest, uow: Uow) -> GroupResponse:
    """Add a group: the facilities a node supervises for the programs."""
    group = await tree.create_group(
        uow,
        body.code,
        body.name,
        body.supervisory_node_id,
        frozenset(body.member_facility_ids),
        frozenset(body.program_ids),
    )
    return GroupResponse.of(group)


@router.get("/requisition-groups", **requires(GROUPS))
async def list_groups(uow: Uow) -> list[GroupResponse]:
    """Every group."""
    async with uow:
        return [GroupResponse.of(g) for g in await uow.tree.groups()]


@router.get("/requisition-groups/{group_id}", **requires(GROUPS))
async def get_group(group_id: UUID, uow: Uow) -> GroupResponse:
    """One group."""
    async with uow:
        group = await uow.tree.group(group_id)
    if group is None:
        raise GroupNotFound(f"requisition group {group_id} does not exist")
    return GroupResponse.of(group)


@router.put("/requisition-groups/{group_id}/members", **requires(GROUPS))
async def set_members(group_id: UUID, body: IdsRequest, uow: Uow) -> GroupResponse:
    """Replace the group's member facilities."""
    return GroupResponse.of(await tree.set_group_members(uow, group_id, frozenset(body.ids)))


@router.put("/requisition-groups/{group_id}/programs", **requires(GROUPS))
async def set_programs(group_id: UUID, body: IdsRequest, uow: Uow) -> GroupResponse:
    """Replace the group's programs."""
    return GroupResponse.of(await tree.set_group_programs(uow, group_id, frozenset(body.ids)))
