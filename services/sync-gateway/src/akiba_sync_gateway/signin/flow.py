"""Signing a site user in offline: the failure limits first, then the cached password.

The attempt is claimed as a failure before its password is checked (see `limits`), so no
more than the limit of concurrent guesses ever reach the verifier; a success forgets them.
A sign-in starts a refresh token family (see `refresh`); refreshing and revoking follow it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from akiba_sync_gateway.adapters import credentials, refresh_tokens
from akiba_sync_gateway.adapters.credentials import CachedUser
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.signin import limits
from akiba_sync_gateway.signin.authority import LocalAuthority


class SignInRefused(Exception):
    """Unknown user, wrong password or inactive user."""


class TooManyFailures(SignInRefused):
    """Too many recent failures for the user or the address, whatever the password."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed attempts; retry in {retry_after} s")
        self.retry_after = retry_after


class RefreshRefused(Exception):
    """Unknown, expired, revoked or spent refresh token, or a user no longer cached as active."""


@dataclass(frozen=True)
class Token:
    """A local access token, how many seconds it lasts, and the refresh token that renews it."""

    access_token: str
    expires_in: int
    refresh_token: str


@dataclass(frozen=True)
class SignIn:
    """The sign-in desk: the site's database, its local authority and the failure limits."""

    db: Database
    authority: LocalAuthority
    rules: limits.Limits
    clock: Callable[[], datetime]
    refresh_lifetime: timedelta

    async def token(self, username: str, password: str, address: str) -> Token:
        """Local tokens for a cached, active user whose password matches."""
        subject = limits.subject_of(username)
        await self._claim(subject, address)
        found = await self.db.read(lambda c: credentials.user(c, username))
        # Checked even for an unknown user: the answer takes as long either way.
        if not await self.authority.check_password(found, password) or found is None:
            raise SignInRefused("unknown user, wrong password or inactive user")
        refresh = await self.db.write(lambda c: self._signed_in(c, subject, found))
        return Token(self.authority.issue(found), self.authority.lifetime, refresh)

    async def refresh(self, token: str) -> Token:
        """New tokens for a refresh token, which is spent (rotation, RFC 6749 §6)."""
        now = self.clock()
        rotated = await self.db.write(lambda c: refresh_tokens.rotate(c, token, now))
        if rotated is None:
            raise RefreshRefused("the refresh token is not valid")
        # Rights are not in the token: routes check the cached permissions as they are now.
        access = self.authority.issue(rotated.user)
        return Token(access, self.authority.lifetime, rotated.refresh_token)

    async def revoke(self, token: str) -> None:
        """End a refresh token's family (RFC 7009: an unknown token is no error)."""
        now = self.clock()
        await self.db.write(lambda c: refresh_tokens.revoke(c, token, now))

    def _signed_in(self, conn: sqlite3.Connection, subject: str, user: CachedUser) -> str:
        limits.clear_failures(conn, subject)
        return refresh_tokens.start(conn, user.user_id, self.clock(), self.refresh_lifetime)

    async def _claim(self, subject: str, address: str) -> None:
        clock, rules = self.clock, self.rules
        wait = await self.db.write(lambda c: limits.claim(c, subject, address, clock(), rules))
        if wait:
            raise TooManyFailures(wait)
