"""No self-escalation: an admin change may only give or take rights its author holds.

What a change confers is compared with what its author holds at the same scope: permission
strings (`RIGHT|facility|program`, `RIGHT|warehouse`, `RIGHT`) exactly, node scopes at the
node or above it (a supervisor of a region may delegate approval at a district under it),
and every right by name, so an assignment that confers nothing yet (a home-facility role
for a user with no home facility) still needs its author to hold its rights somewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from uuid import UUID

from akiba_auth.domain.errors import NotPermitted
from akiba_auth.domain.permissions import EffectivePermissions, NodeScope
from akiba_auth.domain.tree import SupervisionTree


@dataclass(frozen=True)
class Actor:
    """Who makes an admin change.

    A user (by id), a service client (its global rights), or the operator at the server's
    command line, who is trusted with everything: the root from which rights are delegated.
    """

    user_id: UUID | None = None
    client_rights: frozenset[str] = frozenset()
    operator: bool = False

    def is_user(self, user_id: UUID) -> bool:
        """Whether the actor is this user."""
        return self.user_id is not None and self.user_id == user_id


OPERATOR = Actor(operator=True)


@dataclass(frozen=True)
class Holdings:
    """Rights as compared here: permission strings, node scopes, right names."""

    permissions: frozenset[str] = frozenset()
    node_scopes: frozenset[NodeScope] = frozenset()
    rights: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, e: EffectivePermissions, extra_rights: Iterable[str] = ()) -> Holdings:
        """What a user's effective permissions hold (plus rights named on their own)."""
        names = {p.split("|", 1)[0] for p in e.permissions} | {s.right for s in e.node_scopes}
        names.update(extra_rights)
        return cls(frozenset(e.permissions), frozenset(e.node_scopes), frozenset(names))

    def __or__(self, other: Holdings) -> Holdings:
        return Holdings(
            self.permissions | other.permissions,
            self.node_scopes | other.node_scopes,
            self.rights | other.rights,
        )

    def __xor__(self, other: Holdings) -> Holdings:
        """What differs between the two: gained or lost."""
        return Holdings(
            self.permissions ^ other.permissions,
            self.node_scopes ^ other.node_scopes,
            self.rights ^ other.rights,
        )


def client_holdings(rights: Iterable[str]) -> Holdings:
    """A service client's global rights."""
    held = frozenset(rights)
    return Holdings(held, frozenset(), held)


def not_held(actor: Holdings, wanted: Holdings, tree: SupervisionTree) -> list[str]:
    """What of `wanted` the actor does not hold, readably, sorted."""
    missing = set(wanted.rights - actor.rights) | set(wanted.permissions - actor.permissions)
    for s in wanted.node_scopes - actor.node_scopes:
        nodes = [s.node_id, *tree.ancestors(s.node_id)]
        if not any(NodeScope(s.right, n, s.program_id) in actor.node_scopes for n in nodes):
            missing.add(f"{s.right} at node {s.node_id} for program {s.program_id}")
    return sorted(missing)


def require_held(actor: Holdings, wanted: Holdings, tree: SupervisionTree, doing: str) -> None:
    """Refuse (NotPermitted) unless the actor holds everything wanted."""
    missing = not_held(actor, wanted, tree)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        shown = ", ".join(missing[:5]) + more
        raise NotPermitted(f"you cannot {doing}: it involves rights you do not hold: {shown}")


def refuse_own(actor: Actor, user_id: UUID) -> None:
    """Nobody changes their own role assignments."""
    if actor.is_user(user_id):
        raise NotPermitted("you cannot change your own role assignments")
