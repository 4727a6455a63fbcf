"""Demo programs, schedules, templates and approved products for the demo stores and items."""

from __future__ import annotations

from akiba_platform import require_demo
from akiba_requisition.settings import Settings


async def seed(settings: Settings) -> None:
    """Load the demo reference data (idempotent)."""
    require_demo(settings.demo, "requisition's demo programs")
