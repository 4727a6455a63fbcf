"""Crash points for fault tests: a process dies at a named point when told to by its environment."""

from __future__ import annotations

import os

# Read once: the check sits on hot paths and must cost a comparison, not an environment lookup.
_ARMED = os.environ.get("AKIBA_CRASH_AT", "")


def crash_point(name: str) -> None:
    """Exit at once, as a power cut would, when AKIBA_CRASH_AT names this point."""
    if name == _ARMED:
        os._exit(137)
