"""Recompute and publish the effective permissions of the users a change touches."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from uuid import UUID

from akiba_auth.domain.permissions import effective_permissions
from akiba_auth.domain.tree import SupervisionTree
from akiba_auth.outbound import permissions_changed
from akiba_auth.uow import AuthUnitOfWork


async def republish(
    uow: AuthUnitOfWork, user_ids: Iterable[UUID], tree: SupervisionTree | None = None
) -> int:
    """Queue a new version for each user whose permissions differ from the last published."""
    tree = tree or await uow.tree.tree()
    now = datetime.now(UTC)
    published = 0
    for user_id in sorted(set(user_ids)):
        user = await uow.users.get(user_id)
        if user is None:
            continue
        effective = effective_permissions(user, await uow.roles.of_user(user_id), tree)
        digest = effective.digest()
        if await uow.credentials.published_digest(user_id) == digest:
            continue
        version = await uow.credentials.next_version(user_id, digest)
        uow.publish(permissions_changed(effective, version, now))
        published += 1
    return published


async def republish_all(uow: AuthUnitOfWork) -> int:
    """Republish every user whose permissions changed (after a demo load or a repair)."""
    await uow.lock_permissions()
    return await republish(uow, await uow.users.all_ids())
