"""Users, roles, role assignments, sites and service clients: plain data and their rules."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from uuid import UUID

from akiba_auth.domain.errors import InvalidAssignment, InvalidRole
from akiba_contracts.rights import Right, RightType, right_type

GLOBAL_TYPES = frozenset({RightType.GENERAL_ADMIN, RightType.REPORTS})


@dataclass(frozen=True)
class User:
    """A person who signs in."""

    user_id: UUID
    username: str
    email: str | None
    active: bool
    home_facility_id: UUID | None


@dataclass(frozen=True)
class Role:
    """A named set of rights of one type."""

    role_id: UUID
    name: str
    right_type: RightType
    rights: frozenset[Right]
    description: str | None = None


def checked_rights(kind: RightType, rights: Iterable[Right]) -> frozenset[Right]:
    """The rights, if every one belongs to the role type (InvalidRole otherwise)."""
    held = frozenset(rights)
    wrong = sorted(r for r in held if right_type(r) is not kind)
    if wrong:
        raise InvalidRole(f"a {kind} role cannot hold {', '.join(wrong)}")
    return held


@dataclass(frozen=True)
class Scope:
    """Where a role assignment applies; which fields are set depends on the role type."""

    program_id: UUID | None = None
    node_id: UUID | None = None
    warehouse_id: UUID | None = None


def check_scope(kind: RightType, scope: Scope) -> Scope:
    """The scope, if it fits the role type (InvalidAssignment otherwise)."""
    if kind is RightType.SUPERVISION:
        if scope.program_id is None or scope.warehouse_id is not None:
            raise InvalidAssignment("a supervision role needs a program (and a node or none)")
    elif kind is RightType.ORDER_FULFILLMENT:
        if scope.warehouse_id is None or scope.program_id or scope.node_id:
            raise InvalidAssignment("a fulfillment role needs a warehouse and nothing else")
    elif scope != Scope():
        raise InvalidAssignment(f"a {kind} role applies everywhere and takes no scope")
    return scope


@dataclass(frozen=True)
class Assignment:
    """One role given to one user within one scope."""

    assignment_id: UUID
    role: Role
    scope: Scope


@dataclass(frozen=True)
class Site:
    """One sync-gateway installation and the stores only it writes."""

    site_id: UUID
    name: str
    active: bool
    store_ids: tuple[UUID, ...]
    version: int = 0


@dataclass(frozen=True)
class ServiceClient:
    """Another system calling Akiba with global rights."""

    client_id: str
    name: str
    active: bool
    rights: frozenset[Right]


def check_client_rights(rights: Iterable[Right]) -> frozenset[Right]:
    """Service clients hold only global (administration and reports) rights."""
    held = frozenset(rights)
    scoped = sorted(r for r in held if right_type(r) not in GLOBAL_TYPES)
    if scoped:
        raise InvalidRole(f"a service client cannot hold scoped rights: {', '.join(scoped)}")
    return held
