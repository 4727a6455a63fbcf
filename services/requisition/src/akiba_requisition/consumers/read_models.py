"""Stores, items, the supervision tree, supply lines and the sites that write stores, as their
owners publish them.

Every record is the full state of one thing on a compacted topic; an older version than the
one held (a replay) changes nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from akiba_contracts.payloads import (
    FacilityChanged,
    OrderableChanged,
    RequisitionGroupChanged,
    SiteChanged,
    SupervisoryNodeChanged,
    SupplyLineChanged,
)
from akiba_platform import Connection, Delivery, PermanentError

NAME = "requisition.read-models"
TOPICS = (
    "inventory.facilities",
    "inventory.orderables",
    "auth.supervision",
    "fulfillment.supply-lines",
    "auth.sites",
)

_FACILITY = """
insert into facilities as f (facility_id, code, name, facility_type_id, active, version)
values ($1, $2, $3, $4, $5, $6)
on conflict (facility_id) do update
   set code = excluded.code, name = excluded.name, facility_type_id = excluded.facility_type_id,
       active = excluded.active, version = excluded.version
 where f.version < excluded.version
"""

_ORDERABLE = """
insert into orderables as o (orderable_id, code, name, dispensing_unit, net_content,
                             pack_rounding_threshold, round_to_zero, program_ids, active, version)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
on conflict (orderable_id) do update
   set code = excluded.code, name = excluded.name, dispensing_unit = excluded.dispensing_unit,
       net_content = excluded.net_content,
       pack_rounding_threshold = excluded.pack_rounding_threshold,
       round_to_zero = excluded.round_to_zero, program_ids = excluded.program_ids,
       active = excluded.active, version = excluded.version
 where o.version < excluded.version
"""

_NODE = """
insert into supervisory_nodes as n (node_id, code, name, facility_id, parent_id, active, changed_at)
values ($1, $2, $3, $4, $5, $6, $7)
on conflict (node_id) do update
   set code = excluded.code, name = excluded.name, facility_id = excluded.facility_id,
       parent_id = excluded.parent_id, active = excluded.active, changed_at = excluded.changed_at
 where n.changed_at <= excluded.changed_at
"""

_GROUP = """
insert into requisition_groups as g (group_id, code, node_id, facility_ids, program_ids, active,
                                     changed_at)
values ($1, $2, $3, $4, $5, $6, $7)
on conflict (group_id) do update
   set code = excluded.code, node_id = excluded.node_id, facility_ids = excluded.facility_ids,
       program_ids = excluded.program_ids, active = excluded.active,
       changed_at = excluded.changed_at
 where g.changed_at <= excluded.changed_at
"""

_SUPPLY_LINE = """
insert into supply_lines as l (supply_line_id, node_id, program_id, supplying_facility_id, active,
                               version, local_fulfillment)
values ($1, $2, $3, $4, $5, $6, $7)
on conflict (supply_line_id) do update
   set node_id = excluded.node_id, program_id = excluded.program_id,
       supplying_facility_id = excluded.supplying_facility_id, active = excluded.active,
       version = excluded.version, local_fulfillment = excluded.local_fulfillment
 where l.version < excluded.version
"""


_SITE = """
insert into sites as s (site_id, active, version) values ($1, $2, $3)
on conflict (site_id) do update set active = excluded.active, version = excluded.version
 where s.version <= excluded.version
returning site_id
"""

# A site claims the stores it lists (claims win ties: a hand-over rewrites the old and the new
# site at one version, and the new site's claim must hold whichever record is read first)...
_CLAIM = """
insert into site_stores as w (store_id, site_id, version)
select unnest($1::uuid[]), $2, $3
on conflict (store_id) do update set site_id = excluded.site_id, version = excluded.version
 where w.version <= excluded.version
"""

# ...and gives up those it no longer lists, unless another site (or a newer record) took them.
_GIVE_UP = """
update site_stores set site_id = null, version = $3
 where site_id = $1 and store_id <> all($2::uuid[]) and (version < $3 or $3 = 0)
"""


async def _site(conn: Connection, s: Any) -> None:
    version = s.version or 0
    if await conn.fetchval(_SITE, s.site_id, s.active, version) is None:
        return  # an older record of the site than the one held
    await conn.execute(_CLAIM, s.store_ids, s.site_id, version)
    await conn.execute(_GIVE_UP, s.site_id, s.store_ids, version)


async def _node(conn: Connection, n: Any) -> None:
    await conn.execute(
        _NODE, n.node_id, n.code, n.name, n.facility_id, n.parent_id, n.active, n.changed_at
    )


async def _group(conn: Connection, g: Any) -> None:
    await conn.execute(
        _GROUP, g.group_id, g.code, g.node_id, g.facility_ids, g.program_ids, g.active,
        g.changed_at,
    )  # fmt: skip


async def _supply_line(conn: Connection, sl: Any) -> None:
    await conn.execute(
        _SUPPLY_LINE, sl.supply_line_id, sl.supervisory_node_id, sl.program_id,
        sl.supplying_facility_id, sl.active, sl.version, sl.local_fulfillment,
    )  # fmt: skip


async def _facility(conn: Connection, f: Any) -> None:
    await conn.execute(
        _FACILITY, f.store_id, f.code, f.name, f.facility_type_id, f.active, f.version
    )


async def _orderable(conn: Connection, o: Any) -> None:
    await conn.execute(
        _ORDERABLE,
        o.item_id,
        o.code,
        o.name,
        o.dispensing_unit,
        o.net_content,
        o.pack_rounding_threshold,
        o.round_to_zero,
        o.program_ids,
        o.active,
        o.version,
    )


Apply = Callable[[Connection, Any], Awaitable[None]]
HANDLERS: dict[str, tuple[type[BaseModel], Apply]] = {
    FacilityChanged.event_type: (FacilityChanged, _facility),
    OrderableChanged.event_type: (OrderableChanged, _orderable),
    SupervisoryNodeChanged.event_type: (SupervisoryNodeChanged, _node),
    RequisitionGroupChanged.event_type: (RequisitionGroupChanged, _group),
    SupplyLineChanged.event_type: (SupplyLineChanged, _supply_line),
    SiteChanged.event_type: (SiteChanged, _site),
}


async def apply(conn: Connection, deliveries: Sequence[Delivery]) -> None:
    """Take every record this service reads; other event types on these topics are skipped."""
    for d in deliveries:
        known = HANDLERS.get(d.event.type)
        if known is None:
            continue
        model, handler = known
        try:
            payload = model.model_validate(d.event.data)
        except ValidationError as exc:
            raise PermanentError(f"invalid {d.event.type} payload: {exc}") from exc
        await handler(conn, payload)
