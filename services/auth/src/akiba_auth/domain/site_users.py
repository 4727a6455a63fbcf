"""Who a site's gateway must be able to sign in offline: pure rules over effective permissions."""

from __future__ import annotations

from collections.abc import Collection
from uuid import UUID

from akiba_auth.domain.permissions import EffectivePermissions


def facility_of(permission: str) -> str | None:
    """The facility a permission string is scoped to (`RIGHT|facility[|program]`), if any."""
    parts = permission.split("|")
    return parts[1] if len(parts) > 1 else None


def works_at(held: EffectivePermissions, stores: Collection[UUID]) -> bool:
    """Whether the user's home facility or any permission lies at one of the stores."""
    ids = {str(s) for s in stores}
    if held.home_facility_id is not None and held.home_facility_id in stores:
        return True
    return any(facility_of(p) in ids for p in held.permissions)
