"""Crash points for fault tests: a process dies at a named point when told to by its environment."""

from __future__ import annotations

import os

# Read once: the check sits on hot paths and must cost a comparison, not an environment lookup.
_ARMED = os.environ.get("AKIBA_CRASH_AT", "")


def crash_point(name: str) -> None:
    """Exit at once, as a power cut would, when AKIBA_CRASH_AT names this point."""
    if name == _ARMED:
        os._exit(137)


_SITES_LAG = float(os.environ.get("AKIBA_FAULT_SITES_LAG_SECONDS") or 0)


def sites_lag() -> float:
    """Seconds this process holds each site record (auth.sites) before applying it; 0 by default.

    A fault test sets it to make one process's view of the sites fall behind the others', as a
    slow consumer would: what central does then must be "retry later", never a refusal.
    """
    return _SITES_LAG
