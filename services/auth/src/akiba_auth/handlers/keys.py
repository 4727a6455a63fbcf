"""Signing keys: one exists from the first start; rotation keeps older ones until retired."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from akiba_auth import keys
from akiba_auth.keys import SigningKey
from akiba_auth.outbound import key_published
from akiba_auth.uow import AuthUnitOfWork


async def _add(uow: AuthUnitOfWork, secret: str | None, now: datetime) -> SigningKey:
    key, _ = keys.generate(secret, now)
    await uow.credentials.add_key(key)
    uow.publish(key_published(key))
    return key


async def ensure_key(uow: AuthUnitOfWork, secret: str | None) -> SigningKey:
    """The signing key, created (and published) if there is none yet."""
    async with uow:
        await uow.credentials.lock_keys()
        key = await uow.credentials.newest_key()
        if key is None:
            key = await _add(uow, secret, datetime.now(UTC))
        await uow.commit()
    return key


async def rotate_key(uow: AuthUnitOfWork, secret: str | None, keep_seconds: int) -> SigningKey:
    """Sign with a new key from now; older keys keep verifying for `keep_seconds`."""
    now = datetime.now(UTC)
    async with uow:
        await uow.credentials.lock_keys()
        key = await _add(uow, secret, now)
        retire_at = now + timedelta(seconds=keep_seconds)
        for old in await uow.credentials.retire_keys_except(key.kid, retire_at):
            uow.publish(key_published(replace(old, retired_at=retire_at)))
        await uow.commit()
    return key


async def jwks(uow: AuthUnitOfWork) -> dict[str, Any]:
    """Every public key that still verifies tokens (RFC 7517 key set)."""
    async with uow:
        live = await uow.credentials.live_keys(datetime.now(UTC))
    return {"keys": [k.public_jwk for k in live]}
