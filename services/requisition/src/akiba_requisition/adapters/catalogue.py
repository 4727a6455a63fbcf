"""What initiating and routing a requisition read: read models and reference data together."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from asyncpg import Record

from akiba_platform import Connection
from akiba_replenish import RequisitionStatus
from akiba_replenish.documents import Pack
from akiba_replenish.drafting import Product

_PRODUCTS = """
select o.orderable_id, coalesce(po.full_supply, true), o.net_content, o.pack_rounding_threshold,
       o.round_to_zero, po.price_per_pack, ap.max_periods_of_stock, ap.min_periods_of_stock
  from approved_products ap
  join orderables o on o.orderable_id = ap.orderable_id and o.active
  left join program_orderables po
         on po.program_id = ap.program_id and po.orderable_id = ap.orderable_id
 where ap.facility_type_id = $1 and ap.program_id = $2 and ap.active
   and coalesce(po.active, true)
   and ($3::uuid[] is null or ap.orderable_id = any($3::uuid[]))
 order by po.display_order nulls last, o.code
"""
_ITEMS = """
select o.orderable_id, true, o.net_content, o.pack_rounding_threshold, o.round_to_zero,
       null::numeric, 0::numeric, null::numeric
  from orderables o
 where o.active and o.orderable_id = any($1::uuid[])
 order by o.code
"""
_STORE_ITEMS = "select distinct item_id from movement_days where store_id = $1"
_GROUP = """
select group_id, node_id from requisition_groups
 where active and $1 = any(facility_ids) and $2 = any(program_ids)
 order by code limit 1
"""
_STATUSES = """
select period_id, status from requisitions
 where kind = 'PROGRAM' and not emergency and facility_id = $1 and program_id = $2
"""


class AsyncpgCatalogue:
    """Reads stores, items, the tree, supply lines and program settings for requisitions."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def facility_type(self, facility_id: UUID) -> tuple[bool, UUID | None] | None:
        """Whether the facility is known and active, and its type (None: unknown yet)."""
        row = await self.conn.fetchrow(
            "select active, facility_type_id from facilities where facility_id = $1", facility_id
        )
        return None if row is None else (row[0], row[1])

    async def group_of(self, facility_id: UUID, program_id: UUID) -> tuple[UUID, UUID] | None:
        """The requisition group holding the facility for the program, and its node."""
        row = await self.conn.fetchrow(_GROUP, facility_id, program_id)
        return None if row is None else (row[0], row[1])

    async def schedule_of(self, group_id: UUID, program_id: UUID) -> UUID | None:
        """The schedule the group follows for the program."""
        found: UUID | None = await self.conn.fetchval(
            "select schedule_id from group_schedules where group_id = $1 and program_id = $2",
            group_id,
            program_id,
        )
        return found

    async def statuses(self, facility_id: UUID, program_id: UUID) -> dict[UUID, RequisitionStatus]:
        """The status of the facility's regular requisition of each period it has one for."""
        rows = await self.conn.fetch(_STATUSES, facility_id, program_id)
        return {r[0]: RequisitionStatus(r[1]) for r in rows}

    async def products(
        self, facility_type_id: UUID, program_id: UUID, only: Sequence[UUID] | None = None
    ) -> list[Product]:
        """The facility type's approved products of the program (`only` these, if given)."""
        ids = list(only) if only is not None else None
        return [
            _product(r) for r in await self.conn.fetch(_PRODUCTS, facility_type_id, program_id, ids)
        ]

    async def items(self, orderable_ids: Sequence[UUID]) -> list[Product]:
        """Items as inventory describes them (an internal order outside programs)."""
        return [_product(r) for r in await self.conn.fetch(_ITEMS, list(orderable_ids))]

    async def store_items(self, store_id: UUID) -> list[UUID]:
        """Items the store's ledger has ever moved."""
        return [r[0] for r in await self.conn.fetch(_STORE_ITEMS, store_id)]

    async def ideal_amounts(self, facility_id: UUID, period_id: UUID) -> dict[UUID, int]:
        """Ideal stock amounts of the facility's items for the period."""
        rows = await self.conn.fetch(
            "select orderable_id, amount from ideal_stock_amounts"
            " where facility_id = $1 and period_id = $2",
            facility_id,
            period_id,
        )
        return {r[0]: r[1] for r in rows}

    async def parent_of(self, node_id: UUID) -> UUID | None:
        """The node's parent (None at the root or for a node not known yet)."""
        found: UUID | None = await self.conn.fetchval(
            "select parent_id from supervisory_nodes where node_id = $1", node_id
        )
        return found

    async def writer(self, store_id: UUID) -> tuple[UUID | None, int] | None:
        """The site that writes the store (None: central) and the version auth said it at;
        None when auth never named the store (central writes it)."""
        row = await self.conn.fetchrow(
            "select site_id, version from site_stores where store_id = $1", store_id
        )
        return None if row is None else (row[0], row[1])

    async def supplier_at(self, node_id: UUID, program_id: UUID) -> tuple[UUID, bool] | None:
        """The facility a supply line at the node names for the program, and whether it
        fulfils the program itself (local fulfillment)."""
        row = await self.conn.fetchrow(
            "select supplying_facility_id, local_fulfillment from supply_lines"
            " where active and node_id = $1 and program_id = $2",
            node_id,
            program_id,
        )
        return None if row is None else (row[0], row[1])


def _product(r: Record) -> Product:
    return Product(r[0], r[1], Pack(r[2], r[3], r[4], r[5]), r[6], r[7])
