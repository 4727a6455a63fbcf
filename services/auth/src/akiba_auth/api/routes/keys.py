"""Signing-key rotation."""

from __future__ import annotations

from fastapi import APIRouter

from akiba_auth.api.deps import SettingsDep, Uow
from akiba_auth.api.schemas import KeyResponse
from akiba_auth.handlers import keys
from akiba_contracts.rights import Right
from akiba_platform.auth import requires

router = APIRouter(tags=["keys"])


@router.post("/signing-keys/rotate", status_code=201, **requires(Right.SYSTEM_SETTINGS_MANAGE))
async def rotate(uow: Uow, settings: SettingsDep) -> KeyResponse:
    """Sign with a new key from now; older keys stay published until their tokens expire."""
    key = await keys.rotate_key(uow, settings.key_secret(), settings.key_keep_seconds())
    return KeyResponse(
        kid=key.kid, alg=key.public_jwk["alg"], created_at=key.created_at.isoformat()
    )
