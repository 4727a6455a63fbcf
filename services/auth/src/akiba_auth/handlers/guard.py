"""What an admin change's author holds, and what a user holds or would hold if active."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from akiba_auth.domain.escalation import Actor, Holdings, client_holdings, require_held
from akiba_auth.domain.model import Assignment, User
from akiba_auth.domain.permissions import effective_permissions
from akiba_auth.domain.tree import SupervisionTree
from akiba_auth.uow import AuthUnitOfWork


async def held_by(uow: AuthUnitOfWork, actor: Actor, tree: SupervisionTree) -> Holdings | None:
    """The actor's holdings now; None for the operator, who may do anything."""
    if actor.operator:
        return None
    if actor.user_id is None:
        return client_holdings(actor.client_rights)
    user = await uow.users.get(actor.user_id)
    if user is None:
        return Holdings()
    return Holdings.of(effective_permissions(user, await uow.roles.of_user(user.user_id), tree))


async def potential(
    uow: AuthUnitOfWork,
    user: User,
    tree: SupervisionTree,
    assignments: Iterable[Assignment] | None = None,
) -> Holdings:
    """What the user's assignments (or these ones) confer, as if the user were active.

    As if active: a deactivated user keeps their assignments, and editing them (a password
    reset, then a reactivation by someone else) must not be a way around the rule.
    """
    held = list(assignments) if assignments is not None else await uow.roles.of_user(user.user_id)
    extra = {str(r) for a in held for r in a.role.rights}
    active = replace(user, active=True)
    return Holdings.of(effective_permissions(active, held, tree), extra)


async def require(
    uow: AuthUnitOfWork, actor: Actor, wanted: Holdings, tree: SupervisionTree, doing: str
) -> None:
    """Refuse (NotPermitted) unless the actor holds everything wanted."""
    holdings = await held_by(uow, actor, tree)
    if holdings is not None:
        require_held(holdings, wanted, tree, doing)
