"""The orders, order_lines and order_steps tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from akiba_contracts.payloads import OrderStatus
from akiba_fulfillment.domain.orders import Order, OrderLine
from akiba_platform import Connection

_ORDER_COLUMNS = (
    "order_id, order_code, requisition_id, program_id, period_id, emergency,"
    " requesting_facility_id, supplying_facility_id, status, back_ordered, version, created_by,"
    " created_at, updated_at, closed_reason"
)
_LINES = """
insert into order_lines as l (order_id, orderable_id, pack_size, ordered, shipped, received,
                              rejected, cancelled, position, returned)
select $1, * from unnest($2::uuid[], $3::int[], $4::bigint[], $5::bigint[], $6::bigint[],
                         $7::bigint[], $8::bigint[], $9::int[], $10::bigint[])
on conflict (order_id, orderable_id) do update
   set shipped = excluded.shipped, received = excluded.received, rejected = excluded.rejected,
       cancelled = excluded.cancelled, returned = excluded.returned
"""


@dataclass(frozen=True)
class OrderCriteria:
    """Which orders a page holds: every criterion given must hold."""

    supplying_facility_id: UUID | None = None
    requesting_facility_id: UUID | None = None
    program_id: UUID | None = None
    period_id: UUID | None = None
    status: OrderStatus | None = None
    requisition_id: UUID | None = None

    def sql(self) -> tuple[str, list[Any]]:
        """A `where` clause and its parameters, numbered from $1."""
        given = [(k, v) for k, v in vars(self).items() if v is not None]
        conditions = [f"{k} = ${i}" for i, (k, _) in enumerate(given, start=1)]
        return (" where " + " and ".join(conditions)) if conditions else "", [
            str(v) if isinstance(v, OrderStatus) else v for _, v in given
        ]


@dataclass(frozen=True)
class Step:
    """One entry of an order's timeline."""

    version: int
    step: str
    status: OrderStatus
    shipment_id: UUID | None
    actor: str
    reason: str | None
    at: datetime


class AsyncpgOrders:
    """Orders in PostgreSQL."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    async def next_code(self) -> str:
        """A new order number."""
        return f"ORD-{await self._conn.fetchval('select nextval($1)', 'order_numbers'):06d}"

    async def get(self, order_id: UUID, *, lock: bool = False) -> Order | None:
        """One order with its lines, optionally locked until the transaction ends."""
        suffix = " for update" if lock else ""
        row = await self._conn.fetchrow(
            f"select {_ORDER_COLUMNS} from orders where order_id = $1{suffix}", order_id
        )
        if row is None:
            return None
        return (await self._with_lines([row]))[0]

    async def by_requisition(self, requisition_id: UUID) -> Order | None:
        """The order a requisition was released into."""
        order_id = await self._conn.fetchval(
            "select order_id from orders where requisition_id = $1", requisition_id
        )
        return None if order_id is None else await self.get(order_id)

    async def add(self, order: Order, step: Step) -> None:
        """Store a new order, its lines and its first step."""
        await self._conn.execute(
            f"insert into orders ({_ORDER_COLUMNS}) values"
            " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
            *_order_values(order),
        )
        await self._save_lines(order)
        await self._step(order.order_id, step)

    async def save(self, order: Order, step: Step) -> None:
        """Store an order's new state and the step that made it."""
        await self._conn.execute(
            "update orders set status = $2, back_ordered = $3, version = $4, updated_at = $5,"
            " closed_reason = $6 where order_id = $1",
            order.order_id,
            str(order.status),
            order.back_ordered,
            order.version,
            order.updated_at,
            order.closed_reason,
        )
        await self._save_lines(order)
        await self._step(order.order_id, step)

    async def page(self, criteria: OrderCriteria, page: int, size: int) -> tuple[list[Order], int]:
        """Newest first, a page at a time, and how many match in all."""
        where, args = criteria.sql()
        n = len(args)
        rows = await self._conn.fetch(
            f"select {_ORDER_COLUMNS}, count(*) over () as total from orders{where}"
            f" order by created_at desc, order_id limit ${n + 1} offset ${n + 2}",
            *args,
            size,
            page * size,
        )
        total = int(rows[0]["total"]) if rows else await self._count(where, args)
        return await self._with_lines(rows), total

    async def counts(self, criteria: OrderCriteria) -> dict[str, int]:
        """How many orders are in each status (and back-ordered)."""
        where, args = criteria.sql()
        rows = await self._conn.fetch(
            f"select status, back_ordered, count(*) as n from orders{where} group by 1, 2", *args
        )
        out: dict[str, int] = {str(s): 0 for s in OrderStatus}
        out["BACK_ORDERED"] = 0
        for r in rows:
            out[r["status"]] += int(r["n"])
            if r["back_ordered"]:
                out["BACK_ORDERED"] += int(r["n"])
        return out

    async def steps(self, order_id: UUID) -> list[Step]:
        """The order's timeline, oldest first."""
        rows = await self._conn.fetch(
            "select version, step, status, shipment_id, actor, reason, at from order_steps"
            " where order_id = $1 order by version",
            order_id,
        )
        return [
            Step(
                r["version"],
                r["step"],
                OrderStatus(r["status"]),
                r["shipment_id"],
                r["actor"],
                r["reason"],
                r["at"],
            )
            for r in rows
        ]

    async def _count(self, where: str, args: list[Any]) -> int:
        return int(await self._conn.fetchval(f"select count(*) from orders{where}", *args))

    async def _with_lines(self, rows: list[Any]) -> list[Order]:
        ids = [r["order_id"] for r in rows]
        lines: dict[UUID, list[OrderLine]] = {i: [] for i in ids}
        for r in await self._conn.fetch(
            "select order_id, orderable_id, pack_size, ordered, shipped, received, rejected,"
            " cancelled, returned from order_lines where order_id = any($1::uuid[])"
            " order by order_id, position",
            ids,
        ):
            lines[r["order_id"]].append(
                OrderLine(
                    r["orderable_id"],
                    r["pack_size"],
                    int(r["ordered"]),
                    int(r["shipped"]),
                    int(r["received"]),
                    int(r["rejected"]),
                    int(r["cancelled"]),
                    int(r["returned"]),
                )
            )
        return [_order(r, tuple(lines[r["order_id"]])) for r in rows]

    async def _save_lines(self, order: Order) -> None:
        ls = order.lines
        await self._conn.execute(
            _LINES,
            order.order_id,
            [x.orderable_id for x in ls],
            [x.pack_size for x in ls],
            [x.ordered for x in ls],
            [x.shipped for x in ls],
            [x.received for x in ls],
            [x.rejected for x in ls],
            [x.cancelled for x in ls],
            list(range(len(ls))),
            [x.returned for x in ls],
        )

    async def _step(self, order_id: UUID, s: Step) -> None:
        await self._conn.execute(
            "insert into order_steps (order_id, version, step, status, shipment_id, actor,"
            " reason, at) values ($1, $2, $3, $4, $5, $6, $7, $8)",
            order_id,
            s.version,
            s.step,
            str(s.status),
            s.shipment_id,
            s.actor,
            s.reason,
            s.at,
        )


def _order_values(o: Order) -> list[Any]:
    return [
        o.order_id,
        o.order_code,
        o.requisition_id,
        o.program_id,
        o.period_id,
        o.emergency,
        o.requesting_facility_id,
        o.supplying_facility_id,
        str(o.status),
        o.back_ordered,
        o.version,
        o.created_by,
        o.created_at,
        o.updated_at,
        o.closed_reason,
    ]


def _order(r: Any, lines: tuple[OrderLine, ...]) -> Order:
    return Order(
        order_id=r["order_id"],
        order_code=r["order_code"],
        requisition_id=r["requisition_id"],
        program_id=r["program_id"],
        period_id=r["period_id"],
        emergency=r["emergency"],
        requesting_facility_id=r["requesting_facility_id"],
        supplying_facility_id=r["supplying_facility_id"],
        status=OrderStatus(r["status"]),
        back_ordered=r["back_ordered"],
        version=r["version"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
        closed_reason=r["closed_reason"],
        lines=lines,
    )
