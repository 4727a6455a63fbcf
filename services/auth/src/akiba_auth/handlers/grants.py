"""The OAuth grants: password, client credentials, refresh token; and revocation."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID, uuid4

from akiba_auth.domain.errors import InvalidClient, InvalidGrant, TooManyAttempts
from akiba_auth.domain.model import User
from akiba_auth.handlers.sites import secret_digest, secret_matches
from akiba_auth.passwords import PasswordHasher
from akiba_auth.settings import Settings
from akiba_auth.tokens import Bearer, Tokens, TokenSigner, new_refresh_token, refresh_digest
from akiba_auth.uow import AuthUnitOfWork

# Compared against when a client id is unknown, so every refusal costs the same.
_NO_SECRET = (secret_digest("no client has this secret"),)


class Grants:
    """Issues tokens; every refusal of one kind gives the same answer whatever the cause."""

    def __init__(
        self,
        uow: Callable[[], AuthUnitOfWork],
        hasher: PasswordHasher,
        signer: TokenSigner,
        settings: Settings,
    ) -> None:
        self._uow, self._hasher, self._signer, self._s = uow, hasher, signer, settings

    async def password(self, username: str, password: str, address: str) -> Tokens:
        """Resource owner password grant (RFC 6749 §4.3): access and refresh token."""
        subject = f"user:{username.lower()}"
        async with self._uow() as uow:
            # The attempt counts as a failure from before the password is checked, so
            # concurrent guesses each take a slot and never get past the limit together.
            await self._claim(uow, subject, address)
            found = await uow.users.login(username)
            await uow.commit()
        user, stored = found if found is not None else (None, None)
        ok = await self._hasher.verify(stored, password)
        if not ok or user is None or not user.active or stored is None:
            raise InvalidGrant("invalid username or password")
        return await self._signed_in(user, stored, password, subject)

    async def _signed_in(self, user: User, stored: str, password: str, subject: str) -> Tokens:
        rehash = await self._hasher.hash(password) if self._hasher.needs_rehash(stored) else None
        async with self._uow() as uow:
            await uow.credentials.clear_failures(subject)
            if rehash is not None:
                await uow.users.set_password(user.user_id, rehash)
            tokens = await self._user_tokens(uow, user, uuid4(), None)
            await uow.commit()
        return tokens

    async def _user_tokens(
        self, uow: AuthUnitOfWork, user: User, family: UUID, expires: datetime | None
    ) -> Tokens:
        now = datetime.now(UTC)
        refresh, digest = new_refresh_token()
        expires = expires or now + timedelta(days=self._s.refresh_token_days)
        await uow.credentials.add_refresh(digest, family, user.user_id, expires)
        bearer = Bearer(str(user.user_id), "user", {"username": user.username})
        return Tokens(await self._access(uow, bearer, now), self._s.access_token_seconds, refresh)

    async def _access(self, uow: AuthUnitOfWork, bearer: Bearer, now: datetime) -> str:
        key = await uow.credentials.newest_key()
        if key is None:
            raise RuntimeError("no signing key: run `akiba-auth migrate` first")
        return self._signer.sign(key, bearer, now)

    async def client_credentials(self, client_id: str, secret: str, address: str) -> Tokens:
        """Client credentials grant (RFC 6749 §4.4) for service clients and sites."""
        async with self._uow() as uow:
            # Limited per address only: a per-client lockout would let anyone who knows a
            # site's public id stop its sync with a few wrong secrets.
            attempt = await self._claim(uow, f"client:{client_id}", address, machine=True)
            bearer, stored = await _machine(uow, client_id)
            if not secret_matches(stored, secret) or bearer is None:
                await uow.commit()
                raise InvalidClient("client authentication failed")
            await uow.credentials.drop_failure(attempt)
            token = await self._access(uow, bearer, datetime.now(UTC))
            await uow.commit()
        return Tokens(token, self._s.access_token_seconds)

    async def refresh(self, token: str) -> Tokens:
        """Refresh token grant (RFC 6749 §6) with rotation; a reused token kills its family."""
        now = datetime.now(UTC)
        async with self._uow() as uow:
            row = await uow.credentials.refresh(refresh_digest(token))
            if row is None or row["revoked_at"] is not None or row["expires_at"] <= now:
                raise InvalidGrant("the refresh token is not valid")
            user = await uow.users.get(row["user_id"])
            if row["spent_at"] is not None or user is None or not user.active:
                # A spent token coming back means a copy exists: end the whole session.
                await uow.credentials.revoke_family(row["family_id"], now)
                await uow.commit()
                raise InvalidGrant("the refresh token is not valid")
            await uow.credentials.spend_refresh(row["token_hash"], now)
            tokens = await self._user_tokens(uow, user, row["family_id"], row["expires_at"])
            await uow.commit()
        return tokens

    async def revoke(self, token: str) -> None:
        """Token revocation (RFC 7009): a refresh token ends its family; others are ignored."""
        async with self._uow() as uow:
            row = await uow.credentials.refresh(refresh_digest(token))
            if row is not None:
                await uow.credentials.revoke_family(row["family_id"], datetime.now(UTC))
                await uow.commit()

    async def _claim(
        self, uow: AuthUnitOfWork, subject: str, address: str, *, machine: bool = False
    ) -> int:
        """Record an attempt (as failed until it succeeds), or TooManyAttempts if over a limit.

        Under the subject's and address's locks, so each attempt's count sees every attempt
        committed before it: N concurrent guesses cannot all count the same past failures.
        """
        now = datetime.now(UTC)
        since = now - timedelta(seconds=self._s.login_window_seconds)
        kind = "client:" if machine else "user:"
        limits = [("address", address, self._address_limit(machine))]
        if not machine:
            limits.append(("subject", subject, self._s.login_failures_per_user))
        await uow.credentials.lock_attempts(None if machine else subject, address)
        waits = [0.0]
        for column, value, limit in limits:
            count, oldest = await uow.credentials.recent_failures(column, value, since, kind)
            if count >= limit:
                waits.append((oldest - since).total_seconds())
        if max(waits) > 0:
            raise TooManyAttempts(max(1, math.ceil(max(waits))))
        return await uow.credentials.add_failure(subject, address, now)

    def _address_limit(self, machine: bool) -> int:
        if machine:
            return self._s.client_failures_per_address
        return self._s.login_failures_per_address


async def _machine(uow: AuthUnitOfWork, client_id: str) -> tuple[Bearer | None, tuple[str, ...]]:
    """The active service client or site behind a client id, and its valid secrets' digests."""
    client = await uow.sites.client(client_id)
    if client is not None:
        c, digest = client
        rights = sorted(str(r) for r in c.rights)
        return (Bearer(c.client_id, "client", {"rights": rights}) if c.active else None), digest
    site_id = _uuid(client_id)
    site = await uow.sites.site(site_id) if site_id else None
    if site is not None:
        s, digest = site
        bearer = Bearer(str(s.site_id), "site", {"site_id": str(s.site_id)})
        return (bearer if s.active else None), digest
    return None, _NO_SECRET


def _uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None
