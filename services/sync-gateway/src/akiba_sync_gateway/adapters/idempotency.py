"""The gateway's idempotency keys, in the site's SQLite file.

A write's claim goes into the write's own savepoint (`claiming`, used by `Database.write`):
the writer thread commits the key with the document it guards, and a key recorded already
raises KeyAlreadyClaimed there, which undoes that savepoint alone.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, TypeVar

from akiba_platform.idempotency import Answer, Claim, KeyAlreadyClaimed, Stored

if TYPE_CHECKING:
    from akiba_sync_gateway.adapters.db import Database

T = TypeVar("T")

_KEEP = """
INSERT INTO idempotency_keys (scope, key_hash, fingerprint, status, content_type, body, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (scope, key_hash) DO UPDATE
   SET status = excluded.status, content_type = excluded.content_type, body = excluded.body
 WHERE idempotency_keys.status IS NULL AND idempotency_keys.fingerprint = excluded.fingerprint
"""


def claim_row(conn: sqlite3.Connection, claim: Claim) -> bool:
    """Insert the key without an answer; False if it is there already."""
    cursor = conn.execute(
        "INSERT INTO idempotency_keys (scope, key_hash, fingerprint, created_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (claim.scope, claim.key_hash, claim.fingerprint, time.time()),
    )
    return cursor.rowcount == 1


def claiming(
    claim: Claim, fn: Callable[[sqlite3.Connection], T]
) -> Callable[[sqlite3.Connection], T]:
    """fn, preceded in its savepoint by the claim of the request's key."""

    def write(conn: sqlite3.Connection) -> T:
        if not claim_row(conn, claim):
            raise KeyAlreadyClaimed(f"the Idempotency-Key of {claim.scope} was recorded already")
        return fn(conn)

    return write


def _find(conn: sqlite3.Connection, scope: str, key_hash: bytes) -> Stored | None:
    row = conn.execute(
        "SELECT fingerprint, status, content_type, body FROM idempotency_keys"
        " WHERE scope = ? AND key_hash = ?",
        (scope, key_hash),
    ).fetchone()
    if row is None:
        return None
    answer = None if row[1] is None else Answer(row[1], row[2], bytes(row[3]))
    return Stored(bytes(row[0]), answer)


def _keep(conn: sqlite3.Connection, claim: Claim, answer: Answer) -> None:
    conn.execute(
        _KEEP,
        (claim.scope, claim.key_hash, claim.fingerprint, answer.status, answer.content_type,
         answer.body, time.time()),
    )  # fmt: skip


def _purge(conn: sqlite3.Connection, older_than: timedelta) -> int:
    before = time.time() - older_than.total_seconds()
    return conn.execute("DELETE FROM idempotency_keys WHERE created_at < ?", (before,)).rowcount


class SqliteIdempotencyStore:
    """Lookups on the reader thread; claims, answers and purges on the writer thread."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def find(self, scope: str, key_hash: bytes) -> Stored | None:
        """The key's row, from the latest committed snapshot."""
        return await self._db.read(lambda c: _find(c, scope, key_hash))

    async def claim(self, claim: Claim) -> bool:
        """A write of its own that only claims (routes claim inside their write instead)."""
        return await self._db.write(lambda c: claim_row(c, claim))

    async def keep(self, claim: Claim, answer: Answer) -> None:
        """Store the answer: on the claimed row, or as a new row when nothing was claimed."""
        await self._db.write(lambda c: _keep(c, claim, answer))

    async def purge(self, older_than: timedelta) -> int:
        """Forget keys older than this."""
        return await self._db.write(lambda c: _purge(c, older_than))
