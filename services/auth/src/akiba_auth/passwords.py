"""Password hashing with argon2id, off the event loop."""

from __future__ import annotations

import asyncio

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError

from akiba_auth.settings import Settings


class PasswordHasher:
    """argon2id at the configured cost; verifying costs about as much as hashing."""

    def __init__(self, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._argon2 = Argon2(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)
        # Verified against for unknown users so their answer takes as long as a real one; made
        # now, not on first use, so not even the first unknown user answers faster or slower.
        self._dummy = self._argon2.hash("not a password anyone has")

    @classmethod
    def from_settings(cls, s: Settings) -> PasswordHasher:
        """The hasher the settings describe."""
        return cls(s.argon2_time_cost, s.argon2_memory_kib, s.argon2_parallelism)

    async def hash(self, password: str) -> str:
        """A new salted hash of the password."""
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, stored: str | None, password: str) -> bool:
        """Whether the password matches; with no stored hash, spend the same time and say no."""
        return await asyncio.to_thread(self._verify, stored, password)

    def _verify(self, stored: str | None, password: str) -> bool:
        try:
            ok = self._argon2.verify(stored or self._dummy, password)
        except (VerificationError, InvalidHashError):
            return False
        return ok and stored is not None

    def needs_rehash(self, stored: str) -> bool:
        """Whether the hash was made at another cost than the current one."""
        return self._argon2.check_needs_rehash(stored)
