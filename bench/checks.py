"""Proof the pipeline did the work it was timed on: every unit on hand, nothing dead-lettered."""

from __future__ import annotations

from typing import Any

from akiba_contracts.envelope import decode
from bench.env import Env
from bench.events import Workload


async def after_pipeline(env: Env, work: Workload) -> dict[str, Any]:
    """Compare stock on hand with the workload and count what the run published."""
    on_hand = await env.pool.fetchval("select coalesce(sum(quantity_on_hand), 0) from stock_levels")
    dead = await env.pool.fetchval("select count(*) from inbox where dead_letter")
    expected = sum(int((decode(v).data or {})["quantity"]) for v in work.values)
    return {
        "on_hand_matches": int(on_hand) == expected,
        "dead_letters": int(dead),
        "stock_lines": int(await env.pool.fetchval("select count(*) from stock_levels")),
    }
