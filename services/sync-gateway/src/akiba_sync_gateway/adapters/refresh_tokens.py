"""Refresh tokens in SQLite: each grant's look-up, decision and change in one write.

One write on the single writer thread: two requests presenting the same token are applied
one after the other, so the second sees it spent and ends the family, as a replay should.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.credentials import CachedUser
from akiba_sync_gateway.ids import at
from akiba_sync_gateway.signin.refresh import StoredRefresh, Verdict, digest, judge, new_token


@dataclass(frozen=True)
class Rotated:
    """A refresh that went through: the user as cached now, and the family's next token."""

    user: CachedUser
    refresh_token: str


def start(conn: sqlite3.Connection, user_id: str, now: datetime, lifetime: timedelta) -> str:
    """A new family's first token, for a user who just signed in with a password."""
    return _issue(conn, uuid.uuid4().hex, user_id, now, now + lifetime)


def rotate(conn: sqlite3.Connection, token: str, now: datetime) -> Rotated | None:
    """Spend the token and issue its family's next one; None when refused (see `judge`)."""
    found = find(conn, digest(token))
    user = credentials.user_by_id(conn, found.user_id) if found else None
    verdict = judge(found, user is not None and user.active, now)
    if found is not None and verdict is Verdict.END_FAMILY:
        revoke_family(conn, found.family_id, now)
    if found is None or user is None or verdict is not Verdict.ROTATE:
        return None
    conn.execute(
        "UPDATE refresh_tokens SET spent_at = ? WHERE token_hash = ?", (at(now), found.token_hash)
    )
    return Rotated(user, _issue(conn, found.family_id, user.user_id, now, found.expires_at))


def revoke(conn: sqlite3.Connection, token: str, now: datetime) -> None:
    """Revoke the token's family; an unknown token changes nothing (RFC 7009)."""
    found = find(conn, digest(token))
    if found is not None:
        revoke_family(conn, found.family_id, now)


def find(conn: sqlite3.Connection, token_hash: bytes) -> StoredRefresh | None:
    """A stored token by its digest."""
    r = conn.execute(
        "SELECT token_hash, family_id, user_id, expires_at, spent_at, revoked_at"
        " FROM refresh_tokens WHERE token_hash = ?",
        (token_hash,),
    ).fetchone()
    if r is None:
        return None
    return StoredRefresh(
        token_hash=bytes(r["token_hash"]),
        family_id=r["family_id"],
        user_id=r["user_id"],
        expires_at=datetime.fromisoformat(r["expires_at"]),
        spent=r["spent_at"] is not None,
        revoked=r["revoked_at"] is not None,
    )


def revoke_family(conn: sqlite3.Connection, family_id: str, now: datetime) -> None:
    """Revoke every token of a family."""
    conn.execute(
        "UPDATE refresh_tokens SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
        (at(now), family_id),
    )


def _issue(
    conn: sqlite3.Connection, family_id: str, user_id: str, now: datetime, expires: datetime
) -> str:
    # Expired families can never be used again: they go as new tokens come.
    conn.execute("DELETE FROM refresh_tokens WHERE expires_at <= ?", (at(now),))
    token, token_hash = new_token()
    conn.execute(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, issued_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (token_hash, family_id, user_id, at(now), at(expires)),
    )
    return token
