"""The local authority: cached argon2id hashes, local EdDSA tokens, the platform's rights checks.

The gateway signs with its own Ed25519 key (made once, kept in SQLite) and checks its tokens
with the same Authorizer, KeyRing and PermissionStore as every central service, filled from
the credentials auth last gave the site; so each local route checks its central twin's right.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_contracts.payloads import SigningKeyPublished
from akiba_platform.auth import Authorizer, KeyRing, PermissionStore
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.credentials import CachedUser
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.settings import Settings

ALG = "EdDSA"


class LocalAuthority:
    """Signs local tokens and verifies them (with rights) through the platform's Authorizer."""

    def __init__(
        self, kid: str, key: Ed25519PrivateKey, *, issuer: str, audience: str, lifetime: int
    ) -> None:
        self._kid, self._key, self.lifetime = kid, key, lifetime
        self._issuer, self._audience = issuer, audience
        keys = KeyRing()
        keys.add(_published(kid, key))
        self.authorizer = Authorizer(keys, PermissionStore(), issuer=issuer, audience=audience)
        self._hasher = PasswordHasher()
        self._dummy: str | None = None

    def use(self, store: PermissionStore) -> None:
        """Check rights against a new set of cached permissions from now on."""
        self.authorizer.permissions = store

    async def check_password(self, found: CachedUser | None, password: str) -> bool:
        """Whether the password matches the cached hash of an active user (off the event loop)."""
        stored = found.password_hash if found else None
        ok = await asyncio.to_thread(self._verify, stored, password)
        return ok and found is not None and found.active and stored is not None

    def _verify(self, stored: str | None, password: str) -> bool:
        if stored is None:
            # An unknown user costs a verification too, against a hash made on first need:
            # made at start-up, its 64 MiB would be the peak of every gateway process.
            if self._dummy is None:
                self._dummy = self._hasher.hash("not anybody's password")
            stored = self._dummy
        try:
            return self._hasher.verify(stored, password)
        except (VerificationError, InvalidHashError):
            return False

    def issue(self, found: CachedUser) -> str:
        """A local access token for a signed-in user."""
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self._issuer, "aud": self._audience, "sub": found.user_id, "iat": now,
            "nbf": now, "exp": now + self.lifetime, "jti": uuid.uuid4().hex, "kind": "user",
            "username": found.username,
        }  # fmt: skip
        headers = {"kid": self._kid, "typ": "at+jwt"}
        return jwt.encode(claims, self._key, algorithm=ALG, headers=headers)


def _published(kid: str, key: Ed25519PrivateKey) -> SigningKeyPublished:
    jwk = jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key(), as_dict=True)
    return SigningKeyPublished(
        kid=kid, alg=ALG, public_jwk={**jwk, "kid": kid, "use": "sig"}, created_at=datetime.now(UTC)
    )


async def open_authority(
    db: Database, settings: Settings, clock: Callable[[], datetime]
) -> LocalAuthority:
    """The gateway's signing authority with the cached users' permissions loaded."""
    kid, key = await db.write(lambda c: credentials.signing_key(c, clock()))
    authority = LocalAuthority(
        kid,
        key,
        issuer=settings.token_issuer,
        audience=settings.token_audience,
        lifetime=settings.token_lifetime_seconds,
    )
    authority.use(await db.read(credentials.permissions))
    return authority
