"""Offline sign-in: cached argon2id hashes, local EdDSA tokens, the platform's rights checks.

The gateway signs with its own Ed25519 key (made once, kept in SQLite) and checks its tokens
with the same Authorizer, KeyRing and PermissionStore as every central service, filled from
the credentials auth last gave the site; so each local route checks its central twin's right.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_contracts.payloads import SigningKeyPublished, UserPermissionsChanged
from akiba_contracts.sync import SiteCredentials
from akiba_platform.auth import Authorizer, KeyRing, PermissionStore
from akiba_sync_gateway.ids import at

ALG = "EdDSA"


@dataclass(frozen=True)
class CachedUser:
    """A site user as cached for sign-in."""

    user_id: str
    username: str
    active: bool
    password_hash: str | None


def signing_key(conn: sqlite3.Connection, now: datetime) -> tuple[str, Ed25519PrivateKey]:
    """The gateway's key: made on first start and kept, so tokens outlive a restart."""
    row = conn.execute("SELECT kid, private_key FROM signing_key").fetchone()
    if row is not None:
        key = serialization.load_der_private_key(bytes(row[1]), password=None)
        assert isinstance(key, Ed25519PrivateKey)
        return str(row[0]), key
    key, kid = Ed25519PrivateKey.generate(), uuid.uuid4().hex
    der = key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    conn.execute(
        "INSERT INTO signing_key (id, kid, private_key, created_at) VALUES (1, ?, ?, ?)",
        (kid, der, at(now)),
    )
    return kid, key


def cache_credentials(conn: sqlite3.Connection, creds: SiteCredentials) -> None:
    """Replace the cached users with auth's latest list (hashes and permissions only)."""
    conn.execute("DELETE FROM users")
    conn.executemany(
        "INSERT INTO users (user_id, username, active, password_hash, home_facility_id, version,"
        " permissions) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (str(u.user_id), u.username, u.active, u.password_hash,
             u.home_facility_id and str(u.home_facility_id), u.version, json.dumps(u.permissions))
            for u in creds.users
        ],
    )  # fmt: skip
    conn.execute(
        "INSERT INTO sync_state (name, value) VALUES ('last_credentials_at', ?)"
        " ON CONFLICT DO UPDATE SET value = excluded.value",
        (at(creds.issued_at),),
    )


def permissions(conn: sqlite3.Connection) -> PermissionStore:
    """A permission store holding every cached user's permissions."""
    store = PermissionStore()
    for r in conn.execute("SELECT * FROM users"):
        store.apply(
            UserPermissionsChanged(
                user_id=uuid.UUID(r["user_id"]),
                username=r["username"],
                active=bool(r["active"]),
                home_facility_id=r["home_facility_id"] and uuid.UUID(r["home_facility_id"]),
                version=int(r["version"]),
                permissions=json.loads(r["permissions"]),
                changed_at=datetime.now(UTC),
            )
        )
    return store


def user(conn: sqlite3.Connection, username: str) -> CachedUser | None:
    """The cached user with this username."""
    r = conn.execute(
        "SELECT user_id, username, active, password_hash FROM users WHERE username = ?",
        (username,),
    ).fetchone()
    return None if r is None else CachedUser(r[0], r[1], bool(r[2]), r[3])


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
