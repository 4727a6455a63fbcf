"""A change counter pages can wait on: the dashboard's live alerts ride on it."""

from __future__ import annotations

import asyncio
import contextlib


class Changes:
    """Counts changes (alerts starting or ending); waiters wake on the next one."""

    def __init__(self) -> None:
        self.version = 0
        self._event = asyncio.Event()

    def bump(self) -> None:
        """Something changed: wake everyone waiting."""
        self.version += 1
        self._event.set()
        self._event = asyncio.Event()

    async def wait(self, seen: int, timeout: float) -> int:
        """The version after `seen`, or `seen` again if nothing changed within the timeout."""
        if self.version != seen:
            return self.version
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._event.wait(), timeout)
        return self.version
