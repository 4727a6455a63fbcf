"""Signing keys, refresh tokens, login failures and what was last published per user."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from akiba_auth.keys import SigningKey
from akiba_platform import Connection

# Serialises key creation and rotation across processes.
KEYS_LOCK = 0x4B455953
# Sign-in attempts of one subject (this class) or one address (the next one) take turns.
ATTEMPTS_LOCK = 0x4C4F47


def _key(r: Any) -> SigningKey:
    return SigningKey(
        r["kid"],
        r["public_jwk"],
        r["private_key"],
        r["encrypted"],
        r["created_at"],
        r["retired_at"],
    )


class AsyncpgCredentialRepository:
    """Tables that back tokens rather than the permission model."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def lock_keys(self) -> None:
        """Hold the key lock until the transaction ends."""
        await self._conn.execute("select pg_advisory_xact_lock($1)", KEYS_LOCK)

    async def add_key(self, k: SigningKey) -> None:
        """Store a new signing key."""
        await self._conn.execute(
            "insert into signing_keys (kid, alg, public_jwk, private_key, encrypted, created_at)"
            " values ($1, $2, $3, $4, $5, $6)",
            k.kid,
            k.public_jwk["alg"],
            k.public_jwk,
            k.private_key,
            k.encrypted,
            k.created_at,
        )

    async def retire_keys_except(self, kid: str, at: datetime) -> list[SigningKey]:
        """Set a retirement time on every other unretired key; return them."""
        rows = await self._conn.fetch(
            "update signing_keys set retired_at = $2 where kid <> $1 and retired_at is null"
            " returning *",
            kid,
            at,
        )
        return [_key(r) for r in rows]

    async def newest_key(self) -> SigningKey | None:
        """The key that signs: the newest one not retired."""
        r = await self._conn.fetchrow(
            "select * from signing_keys where retired_at is null order by created_at desc limit 1"
        )
        return None if r is None else _key(r)

    async def live_keys(self, now: datetime) -> list[SigningKey]:
        """Keys that still verify tokens, newest first."""
        rows = await self._conn.fetch(
            "select * from signing_keys where retired_at is null or retired_at > $1"
            " order by created_at desc",
            now,
        )
        return [_key(r) for r in rows]

    async def add_refresh(
        self, token_hash: bytes, family_id: UUID, user_id: UUID, expires_at: datetime
    ) -> None:
        """Store a refresh token's digest."""
        await self._conn.execute(
            "insert into refresh_tokens (token_hash, family_id, user_id, expires_at)"
            " values ($1, $2, $3, $4)",
            token_hash,
            family_id,
            user_id,
            expires_at,
        )

    async def refresh(self, token_hash: bytes) -> Any:
        """A refresh token's row, locked for the rotation."""
        return await self._conn.fetchrow(
            "select * from refresh_tokens where token_hash = $1 for update", token_hash
        )

    async def spend_refresh(self, token_hash: bytes, at: datetime) -> None:
        """Mark a refresh token used."""
        await self._conn.execute(
            "update refresh_tokens set spent_at = $2 where token_hash = $1", token_hash, at
        )

    async def revoke_family(self, family_id: UUID, at: datetime) -> None:
        """Revoke every token of a family."""
        await self._conn.execute(
            "update refresh_tokens set revoked_at = $2 where family_id = $1 and revoked_at is null",
            family_id,
            at,
        )

    async def revoke_user(self, user_id: UUID, at: datetime) -> None:
        """Revoke every refresh token of a user."""
        await self._conn.execute(
            "update refresh_tokens set revoked_at = $2 where user_id = $1 and revoked_at is null",
            user_id,
            at,
        )

    async def lock_attempts(self, subject: str | None, address: str) -> None:
        """Hold the subject's and the address's attempt locks until the transaction ends.

        Always subject first, then address (two lock classes): no two sign-ins wait on each
        other in a cycle.
        """
        if subject is not None:
            await self._conn.execute(
                "select pg_advisory_xact_lock($1, hashtext($2))", ATTEMPTS_LOCK, subject
            )
        await self._conn.execute(
            "select pg_advisory_xact_lock($1, hashtext($2))", ATTEMPTS_LOCK + 1, address
        )

    async def recent_failures(
        self, column: str, value: str, since: datetime, kind: str
    ) -> tuple[int, Any]:
        """Failures of this kind (`user:`/`client:`) for a subject or address since then.

        Returns how many, and the oldest one's time.
        """
        assert column in ("subject", "address")
        r = await self._conn.fetchrow(
            f"select count(*) as n, min(failed_at) as oldest from login_failures"
            f" where {column} = $1 and failed_at > $2 and starts_with(subject, $3)",
            value,
            since,
            kind,
        )
        assert r is not None
        return int(r["n"]), r["oldest"]

    async def add_failure(self, subject: str, address: str, at: datetime) -> int:
        """Record a sign-in attempt as failed until it is proven otherwise; return its id."""
        return int(
            await self._conn.fetchval(
                "insert into login_failures (subject, address, failed_at) values ($1, $2, $3)"
                " returning id",
                subject,
                address,
                at,
            )
        )

    async def drop_failure(self, attempt: int) -> None:
        """Forget one attempt that succeeded."""
        await self._conn.execute("delete from login_failures where id = $1", attempt)

    async def clear_failures(self, subject: str) -> None:
        """Forget a subject's failures after a successful sign-in."""
        await self._conn.execute("delete from login_failures where subject = $1", subject)

    async def published_digest(self, user_id: UUID) -> str | None:
        """The fingerprint of the user's last published permissions."""
        r = await self._conn.fetchval(
            "select digest from published_permissions where user_id = $1", user_id
        )
        return None if r is None else str(r)

    async def next_version(self, user_id: UUID, digest: str) -> int:
        """Take the next permissions version and remember what it publishes."""
        version = int(await self._conn.fetchval("select nextval('permission_versions')"))
        await self._conn.execute(
            "insert into published_permissions (user_id, version, digest) values ($1, $2, $3)"
            " on conflict (user_id) do update set version = $2, digest = $3",
            user_id,
            version,
            digest,
        )
        return version
