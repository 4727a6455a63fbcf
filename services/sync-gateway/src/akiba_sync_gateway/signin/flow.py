"""Signing a site user in offline: the failure limits first, then the cached password.

The attempt is claimed as a failure before its password is checked (see `limits`), so no
more than the limit of concurrent guesses ever reach the verifier; a success forgets them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from akiba_sync_gateway.adapters import credentials
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


@dataclass(frozen=True)
class Token:
    """A local access token and how many seconds it lasts."""

    access_token: str
    expires_in: int


@dataclass(frozen=True)
class SignIn:
    """The sign-in desk: the site's database, its local authority and the failure limits."""

    db: Database
    authority: LocalAuthority
    rules: limits.Limits
    clock: Callable[[], datetime]

    async def token(self, username: str, password: str, address: str) -> Token:
        """A local access token for a cached, active user whose password matches."""
        subject = limits.subject_of(username)
        await self._claim(subject, address)
        found = await self.db.read(lambda c: credentials.user(c, username))
        # Checked even for an unknown user: the answer takes as long either way.
        if not await self.authority.check_password(found, password) or found is None:
            raise SignInRefused("unknown user, wrong password or inactive user")
        await self.db.write(lambda c: limits.clear_failures(c, subject))
        return Token(self.authority.issue(found), self.authority.lifetime)

    async def _claim(self, subject: str, address: str) -> None:
        clock, rules = self.clock, self.rules
        wait = await self.db.write(lambda c: limits.claim(c, subject, address, clock(), rules))
        if wait:
            raise TooManyFailures(wait)
