"""Demo supply lines, matching auth's demo tree and inventory's demo stores.

The national warehouse supplies the northern region's node for every demo program, so a demo
requisition from HF-0001 is approved at the district, then for good at the region.
"""

from __future__ import annotations

from uuid import UUID

from akiba_fulfillment.domain.errors import Conflict
from akiba_fulfillment.domain.supply_lines import Terms
from akiba_fulfillment.handlers import supply_lines
from akiba_fulfillment.settings import Settings
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import demo_id, open_pool, require_demo

REGION = demo_id("node", "SN-NORTH")
WAREHOUSE = demo_id("store", "WH-NAT")
PROGRAMS = ("EPI", "FP", "EM")
LINES: dict[UUID, Terms] = {
    demo_id("supply-line", f"SN-NORTH:{p}"): Terms(
        REGION,
        demo_id("program", p),
        WAREHOUSE,
        f"National Medical Stores supplies the northern region ({p})",
    )
    for p in PROGRAMS
}


async def seed(settings: Settings) -> None:
    """Add the demo lines that are missing (AKIBA_DEMO=1 only); each publishes its event."""
    require_demo(settings.demo, "fulfillment's demo supply lines")
    added = 0
    async with open_pool(settings) as pool:
        for supply_line_id, terms in LINES.items():
            try:
                await supply_lines.create(FulfillmentUnitOfWork(pool), terms, supply_line_id)
            except Conflict:
                continue  # there already, or the node has another active line for the program
            added += 1
    print(f"demo supply lines: {added} added, {len(LINES) - added} already there")
