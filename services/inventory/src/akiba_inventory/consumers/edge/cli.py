"""`akiba-inventory edge stuck|show`: what an operator asks when a site's store does not move."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import asyncpg

from akiba_inventory.consumers.edge.views import held_stores, store_report
from akiba_inventory.settings import Settings


async def run(settings: Settings, command: str, store_id: UUID | None) -> None:
    """Print the answer to one operator question."""
    conn: asyncpg.Connection[Any] = await asyncpg.connect(settings.database_url)
    try:
        if command == "stuck":
            print(await stuck(conn))
        else:
            assert store_id is not None
            print(json.dumps(await store_report(conn, store_id), default=str, indent=2))
    finally:
        await conn.close()


async def stuck(conn: Any) -> str:
    """One line per store holding documents: what it waits for and since when."""
    held = await held_stores(conn)
    if not held:
        return "no store holds site documents"
    now = datetime.now(UTC)
    lines = ["store                                 next  held  oldest-held-age  waits for"]
    for h in held:
        age = int((now - h.oldest_since).total_seconds())
        lines.append(f"{h.store_id}  {h.next_sequence:>4}  {h.held:>4}  {age:>13}s  {h.waits_for}")
    return "\n".join(lines)
