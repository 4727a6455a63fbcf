"""Exponential backoff with full jitter: retries of many sites spread out instead of stampeding."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delay before the next attempt: uniform in [0, min(cap, base * 2**failures)]."""

    base: float
    cap: float
    uniform: Callable[[float, float], float] = field(default=random.uniform)
    failures: int = 0

    def next_delay(self) -> float:
        """Count a failure and return how long to wait before trying again."""
        ceiling = min(self.cap, self.base * 2 ** min(self.failures, 62))
        self.failures += 1
        return self.uniform(0.0, ceiling)

    def reset(self) -> None:
        """The link works again: the next failure starts from the base."""
        self.failures = 0
