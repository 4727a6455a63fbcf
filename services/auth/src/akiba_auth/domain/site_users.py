"""Who a site's gateway must be able to sign in offline: pure rules over effective permissions."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from akiba_auth.domain.permissions import EffectivePermissions


def facility_of(permission: str) -> str | None:
    """The facility a permission string is scoped to (`RIGHT|facility[|program]`), if any."""
    parts = permission.split("|")
    return parts[1] if len(parts) > 1 else None


def at_stores(held: EffectivePermissions, stores: Collection[UUID]) -> list[str]:
    """The user's permissions scoped to one of the stores: all a site needs of them."""
    ids = {str(s) for s in stores}
    return [p for p in held.permissions if facility_of(p) in ids]
