"""The supervision tree: nodes with parents, and the facilities each supervises per program."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from akiba_auth.domain.errors import InvalidTree


@dataclass(frozen=True)
class SupervisoryNode:
    """A level of the approval hierarchy, optionally located at a facility."""

    node_id: UUID
    code: str
    name: str
    facility_id: UUID | None
    parent_id: UUID | None


@dataclass(frozen=True)
class RequisitionGroup:
    """Facilities a node supervises for the listed programs."""

    group_id: UUID
    code: str
    name: str
    node_id: UUID
    facility_ids: frozenset[UUID]
    program_ids: frozenset[UUID]


@dataclass(frozen=True)
class GroupScope:
    """A requisition group as the tree sees it: its node, facilities and programs."""

    node_id: UUID
    facility_ids: frozenset[UUID]
    program_ids: frozenset[UUID]


@dataclass(frozen=True)
class SupervisionTree:
    """Which node is under which, and what each node supervises for each program."""

    parents: Mapping[UUID, UUID | None]
    groups: tuple[GroupScope, ...] = ()
    _children: dict[UUID, list[UUID]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for node, parent in self.parents.items():
            if parent is not None:
                self._children.setdefault(parent, []).append(node)

    def subtree(self, node_id: UUID) -> set[UUID]:
        """The node and every node below it."""
        seen: set[UUID] = set()
        todo = [node_id]
        while todo:
            node = todo.pop()
            if node not in seen:
                seen.add(node)
                todo.extend(self._children.get(node, ()))
        return seen

    def supervised(self, node_id: UUID, program_id: UUID) -> set[UUID]:
        """Facilities the node and its descendants supervise for the program."""
        nodes = self.subtree(node_id)
        return {
            facility
            for g in self.groups
            if g.node_id in nodes and program_id in g.program_ids
            for facility in g.facility_ids
        }

    def ancestors(self, node_id: UUID) -> list[UUID]:
        """The parents of a node up to the root, nearest first."""
        chain: list[UUID] = []
        parent = self.parents.get(node_id)
        while parent is not None and parent not in chain:
            chain.append(parent)
            parent = self.parents.get(parent)
        return chain


def check_parent(tree: SupervisionTree, node_id: UUID, parent_id: UUID | None) -> None:
    """Refuse a parent that is missing or would put the node under itself."""
    if parent_id is None:
        return
    if parent_id not in tree.parents:
        raise InvalidTree(f"parent node {parent_id} does not exist")
    if parent_id == node_id or parent_id in tree.subtree(node_id):
        raise InvalidTree("a node cannot be placed under itself or one of its descendants")


def tree_of(
    nodes: Iterable[SupervisoryNode], groups: Iterable[RequisitionGroup]
) -> SupervisionTree:
    """The tree these nodes and groups make."""
    scopes = (GroupScope(g.node_id, g.facility_ids, g.program_ids) for g in groups)
    return SupervisionTree({n.node_id: n.parent_id for n in nodes}, tuple(scopes))
