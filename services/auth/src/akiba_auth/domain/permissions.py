"""Effective permissions: role assignments resolved against the supervision tree (OpenLMIS)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from akiba_auth.domain.model import Assignment, User
from akiba_auth.domain.tree import SupervisionTree
from akiba_contracts.rights import RightType


@dataclass(frozen=True)
class NodeScope:
    """A supervision right held at one node for one program."""

    right: str
    node_id: UUID
    program_id: UUID


@dataclass(frozen=True)
class EffectivePermissions:
    """What a user may do, as every service checks it."""

    user_id: UUID
    username: str
    active: bool
    home_facility_id: UUID | None
    permissions: tuple[str, ...]
    node_scopes: tuple[NodeScope, ...]

    def digest(self) -> str:
        """A fingerprint of everything published, to skip republishing the same thing."""
        parts = [
            str(self.user_id),
            self.username,
            str(self.active),
            str(self.home_facility_id),
            *self.permissions,
            *(f"{s.right}@{s.node_id}/{s.program_id}" for s in self.node_scopes),
        ]
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _strings(a: Assignment, home: UUID | None, tree: SupervisionTree) -> set[str]:
    rights = [str(r) for r in a.role.rights]
    kind, scope = a.role.right_type, a.scope
    if kind is RightType.ORDER_FULFILLMENT:
        return {f"{r}|{scope.warehouse_id}" for r in rights}
    if kind is not RightType.SUPERVISION:
        return set(rights)
    assert scope.program_id is not None
    if scope.node_id is None:
        facilities = {home} if home is not None else set()
    else:
        facilities = tree.supervised(scope.node_id, scope.program_id)
    return {f"{r}|{f}|{scope.program_id}" for r in rights for f in facilities}


def _node_scopes(assignments: Iterable[Assignment]) -> set[NodeScope]:
    return {
        NodeScope(str(r), a.scope.node_id, a.scope.program_id)
        for a in assignments
        if a.role.right_type is RightType.SUPERVISION
        and a.scope.node_id is not None
        and a.scope.program_id is not None
        for r in a.role.rights
    }


def effective_permissions(
    user: User, assignments: Iterable[Assignment], tree: SupervisionTree
) -> EffectivePermissions:
    """Resolve every assignment to permission strings; an inactive user holds none."""
    held = list(assignments) if user.active else []
    strings = set().union(*(_strings(a, user.home_facility_id, tree) for a in held))
    scopes = sorted(_node_scopes(held), key=lambda s: (s.right, str(s.node_id), str(s.program_id)))
    return EffectivePermissions(
        user_id=user.user_id,
        username=user.username,
        active=user.active,
        home_facility_id=user.home_facility_id,
        permissions=tuple(sorted(strings)),
        node_scopes=tuple(scopes),
    )
