"""Where keys and their answers are kept: a Protocol, and the PostgreSQL implementation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol, TypeAlias

import asyncpg

from akiba_platform.db import Connection
from akiba_platform.idempotency._claim import Claim, KeyAlreadyClaimed


@dataclass(frozen=True)
class Answer:
    """What the first request answered (the body as stored: sealed)."""

    status: int
    content_type: str | None
    body: bytes


@dataclass(frozen=True)
class Stored:
    """A key's row: the request it was first used for, and its answer once stored."""

    fingerprint: bytes
    answer: Answer | None


class IdempotencyStore(Protocol):
    """Keys per caller, claimed in the effect's transaction, answered after it."""

    async def find(self, scope: str, key_hash: bytes) -> Stored | None:
        """The key's row, if any."""
        ...

    async def claim(self, claim: Claim) -> bool:
        """Insert the key without an answer in the current transaction; False if it exists."""
        ...

    async def keep(self, claim: Claim, answer: Answer) -> None:
        """Store the answer: on the claimed row, or as a new row when nothing was claimed."""
        ...

    async def purge(self, older_than: timedelta) -> int:
        """Forget keys older than this; return how many."""
        ...


async def claim_or_raise(store: IdempotencyStore, claim: Claim) -> None:
    """Claim in the current transaction; KeyAlreadyClaimed (so it rolls back) if taken."""
    if not await store.claim(claim):
        raise KeyAlreadyClaimed(f"the Idempotency-Key of {claim.scope} was recorded already")


# Statements run on a pool (lookups, answers, purges) or on a transaction's connection (claims).
Executor: TypeAlias = "Connection | asyncpg.Pool[Any]"

_KEEP = """
insert into idempotency_keys (scope, key_hash, fingerprint, status, content_type, body)
values ($1, $2, $3, $4, $5, $6)
on conflict (scope, key_hash) do update
   set status = excluded.status, content_type = excluded.content_type, body = excluded.body
 where idempotency_keys.status is null and idempotency_keys.fingerprint = excluded.fingerprint
"""


class AsyncpgIdempotencyStore:
    """The `idempotency_keys` table of a service's database."""

    def __init__(self, db: Executor) -> None:
        self._db = db

    async def find(self, scope: str, key_hash: bytes) -> Stored | None:
        """One indexed read."""
        row = await self._db.fetchrow(
            "select fingerprint, status, content_type, body from idempotency_keys"
            " where scope = $1 and key_hash = $2",
            scope,
            key_hash,
        )
        if row is None:
            return None
        answer = None
        if row["status"] is not None:
            answer = Answer(row["status"], row["content_type"], row["body"])
        return Stored(row["fingerprint"], answer)

    async def claim(self, claim: Claim) -> bool:
        """Waits for a concurrent claim of the same key to commit or roll back."""
        inserted = await self._db.fetchval(
            "insert into idempotency_keys (scope, key_hash, fingerprint) values ($1, $2, $3)"
            " on conflict do nothing returning true",
            claim.scope,
            claim.key_hash,
            claim.fingerprint,
        )
        return bool(inserted)

    async def keep(self, claim: Claim, answer: Answer) -> None:
        """One upsert that never overwrites another request's row or an answer."""
        await self._db.execute(
            _KEEP,
            claim.scope,
            claim.key_hash,
            claim.fingerprint,
            answer.status,
            answer.content_type,
            answer.body,
        )

    async def purge(self, older_than: timedelta) -> int:
        """Delete by the created_at index."""
        done = await self._db.execute(
            "delete from idempotency_keys where created_at < now() - $1::interval", older_than
        )
        return int(done.split()[-1])
