"""Read queries over requisitions: lists by criteria, work waiting at nodes, counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import asyncpg

from akiba_contracts.payloads import RequisitionKind
from akiba_platform.http import Paging
from akiba_replenish import RequisitionStatus
from akiba_replenish.documents import labels

_COLUMNS = """requisition_id, kind, facility_id, program_id, period_id, emergency, status,
              version, node_id, supplying_facility_id, created_by, created_at"""


@dataclass(frozen=True)
class Criteria:
    """Which requisitions to list (every given field must match)."""

    facility: UUID | None = None
    program: UUID | None = None
    period: UUID | None = None
    status: RequisitionStatus | None = None
    supplier: UUID | None = None
    internal: bool | None = None
    statuses: tuple[RequisitionStatus, ...] = ()
    nodes: Sequence[tuple[UUID, UUID]] | None = None  # (node, program) pairs it may wait at

    def where(self) -> tuple[str, list[Any]]:
        """The SQL condition and its arguments."""
        parts: list[str] = []
        args: list[Any] = []
        for column, value in (
            ("facility_id", self.facility), ("program_id", self.program),
            ("period_id", self.period), ("supplying_facility_id", self.supplier),
        ):  # fmt: skip
            if value is not None:
                args.append(value)
                parts.append(f"{column} = ${len(args)}")
        statuses = [s.value for s in ((self.status,) if self.status else self.statuses)]
        if statuses:
            args.append(statuses)
            parts.append(f"status = any(${len(args)}::text[])")
        if self.internal is not None:
            args.append("INTERNAL_ORDER" if self.internal else "PROGRAM")
            parts.append(f"kind = ${len(args)}")
        if self.nodes is not None:
            args += [[n for n, _ in self.nodes], [p for _, p in self.nodes]]
            parts.append(
                f"(node_id, program_id) in (select * from unnest(${len(args) - 1}::uuid[],"
                f" ${len(args)}::uuid[]))"
            )
        return " and ".join(parts) or "true", args


async def page(pool: asyncpg.Pool[Any], criteria: Criteria, paging: Paging) -> dict[str, Any]:
    """A page of summaries, newest first, shaped as RequisitionPage."""
    where, args = criteria.where()
    n = len(args)
    async with pool.acquire() as conn:
        total = await conn.fetchval(f"select count(*) from requisitions where {where}", *args)
        rows = await conn.fetch(
            f"select {_COLUMNS} from requisitions where {where}"
            f" order by created_at desc, requisition_id limit ${n + 1} offset ${n + 2}",
            *args, paging.size, paging.offset,
        )  # fmt: skip
    items = [
        {**dict(r), **labels(RequisitionKind(r["kind"]), RequisitionStatus(r["status"]))}
        for r in rows
    ]
    return {"items": items, "page": paging.page, "size": paging.size, "total": total}


async def counts(pool: asyncpg.Pool[Any], criteria: Criteria) -> dict[str, int]:
    """How many requisitions stand at each status."""
    where, args = criteria.where()
    async with pool.acquire() as conn:
        rows = await conn.fetch(
            f"select status, count(*) from requisitions where {where} group by status", *args
        )
    return {r[0]: r[1] for r in rows}
