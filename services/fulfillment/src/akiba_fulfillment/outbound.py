"""Domain facts → contract events, topics and keys."""

from __future__ import annotations

from akiba_contracts.payloads import SupplyLineChanged
from akiba_fulfillment.domain.supply_lines import SupplyLine
from akiba_platform import OutboxMessage, message_of

SOURCE = "/akiba/fulfillment"
SUPPLY_LINES = "fulfillment.supply-lines"


def supply_line_changed(line: SupplyLine) -> OutboxMessage:
    """A supply line's full state, keyed by its id for compaction."""
    payload = SupplyLineChanged(
        supply_line_id=line.supply_line_id,
        supervisory_node_id=line.supervisory_node_id,
        program_id=line.program_id,
        supplying_facility_id=line.supplying_facility_id,
        description=line.description,
        active=line.active,
        local_fulfillment=line.local_fulfillment,
        version=line.version,
        changed_at=line.updated_at,
    )
    return message_of(SUPPLY_LINES, SOURCE, f"supply-lines/{payload.partition_key()}", payload)
