"""Demo data: stable ids shared by every service's demo rows, and the guard that keeps it out of
anything that is not a demo (its passwords and the demo site's secret are public)."""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5


def demo_id(kind: str, code: str) -> UUID:
    """The id of a demo `kind` (store, item, program, user, node…) with this code."""
    return uuid5(NAMESPACE_URL, f"akiba:demo:{kind}:{code}")


class NotADemo(SystemExit):
    """Demo data was asked for where the environment does not say this is a demo."""


def require_demo(demo: bool, what: str) -> None:
    """Refuse to load demo data unless AKIBA_DEMO=1 (settings.demo) says this is a demo."""
    if not demo:
        raise NotADemo(
            f"refusing to load {what}: its passwords and the demo site's secret are public."
            " Set AKIBA_DEMO=1 only on a throw-away demo installation (`make run` does)."
        )
