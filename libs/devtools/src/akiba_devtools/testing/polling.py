"""Poll for an outcome with a deadline instead of sleeping."""

from __future__ import annotations

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def wait_until(
    check: Callable[[], T | Awaitable[T]],
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
    what: str = "the condition",
) -> T:
    """Call `check` until it returns something truthy; fail with `what` at the deadline."""
    deadline = time.monotonic() + timeout
    last: T | None = None
    while True:
        result = check()
        last = await result if inspect.isawaitable(result) else result
        if last:
            return last
        if time.monotonic() > deadline:
            raise AssertionError(
                f"timed out after {timeout:.0f} s waiting for {what}; last: {last!r}"
            )
        await asyncio.sleep(interval)
