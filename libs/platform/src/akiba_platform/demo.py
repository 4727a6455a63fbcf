"""Stable ids for demo data, shared so every service's demo rows refer to the same things."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


def demo_id(kind: str, code: str) -> UUID:
    """The id of a demo `kind` (store, item, program, user, node…) with this code."""
    return uuid5(NAMESPACE_URL, f"akiba:demo:{kind}:{code}")
