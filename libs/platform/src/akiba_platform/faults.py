"""Crash points and lags for fault tests: a process misbehaves where its environment says to.

The environment is read on first use, not at import: whoever starts the process (a test, a
deployment) sets it before then; importing the platform reads nothing.
"""

from __future__ import annotations

import os
from functools import cache


@cache
def _armed() -> str:
    # Cached: crash points sit on hot paths and must cost a lookup, not an environment read.
    return os.environ.get("AKIBA_CRASH_AT", "")


def crash_point(name: str) -> None:
    """Exit at once, as a power cut would, when AKIBA_CRASH_AT names this point."""
    if name == _armed():
        os._exit(137)


@cache
def sites_lag() -> float:
    """Seconds this process holds each site record (auth.sites) before applying it; 0 by default.

    A fault test sets AKIBA_FAULT_SITES_LAG_SECONDS to make one process's view of the sites fall
    behind the others', as a slow consumer would: what central does then must be "retry
    later", never a refusal.
    """
    return float(os.environ.get("AKIBA_FAULT_SITES_LAG_SECONDS") or 0)
