"""The site's cached credentials in SQLite: users (argon2id hashes, rights), the signing key."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from akiba_contracts.payloads import UserPermissionsChanged
from akiba_contracts.sync import SiteCredentials
from akiba_platform.auth import PermissionStore
from akiba_sync_gateway.ids import at


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
    return _one(conn, "username", username)


def user_by_id(conn: sqlite3.Connection, user_id: str) -> CachedUser | None:
    """The cached user with this id (None once auth no longer lists them for the site)."""
    return _one(conn, "user_id", user_id)


def _one(conn: sqlite3.Connection, column: str, value: str) -> CachedUser | None:
    r = conn.execute(
        f"SELECT user_id, username, active, password_hash FROM users WHERE {column} = ?",
        (value,),
    ).fetchone()
    return None if r is None else CachedUser(r[0], r[1], bool(r[2]), r[3])
