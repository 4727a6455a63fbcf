"""What a site's gateway caches to sign its users in offline (docs/sync.md, Offline sign-in)."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from uuid import UUID

from akiba_auth.domain.errors import SiteNotFound
from akiba_auth.domain.model import User
from akiba_auth.domain.permissions import effective_permissions
from akiba_auth.domain.site_users import at_stores
from akiba_auth.domain.tree import SupervisionTree
from akiba_auth.uow import AuthUnitOfWork
from akiba_contracts.sync import SiteCredentials, SiteUser


async def site_credentials(uow: AuthUnitOfWork, site_id: UUID) -> SiteCredentials:
    """Every active user holding rights at one of the site's stores, with hash and those rights.

    Nothing more leaves for the site: not inactive users (the gateway drops a user missing
    from the document, so a deactivation still reaches it), not users whose only tie is a home
    facility there, not the rights users hold elsewhere.
    """
    async with uow:
        found = await uow.sites.site(site_id)
        if found is None:
            raise SiteNotFound(f"site {site_id} is unknown")
        stores = found[0].store_ids
        tree = await uow.tree.tree()
        users = [
            site_user
            for user, hash_, version in await uow.users.site_candidates(list(stores))
            if (site_user := await _site_user(uow, user, hash_, version, stores, tree))
        ]
    return SiteCredentials(
        site_id=site_id, store_ids=list(stores), users=users, issued_at=datetime.now(UTC)
    )


async def _site_user(
    uow: AuthUnitOfWork,
    user: User,
    hash_: str | None,
    version: int | None,
    stores: Collection[UUID],
    tree: SupervisionTree,
) -> SiteUser | None:
    if not user.active:
        return None
    held = at_stores(
        effective_permissions(user, await uow.roles.of_user(user.user_id), tree), stores
    )
    if not held:
        return None
    return SiteUser(
        user_id=user.user_id,
        username=user.username,
        active=True,
        password_hash=hash_,
        home_facility_id=user.home_facility_id,
        # Never published (no permissions ever computed for them): the first version.
        version=version or 1,
        permissions=held,
    )
