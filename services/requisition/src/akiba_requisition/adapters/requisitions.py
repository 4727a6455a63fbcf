"""Requisitions in PostgreSQL: the document, its lines and its history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol
from uuid import UUID

from asyncpg import Record

from akiba_contracts.payloads import RequisitionKind
from akiba_platform import Connection
from akiba_replenish import Change, Line, Requisition, RequisitionStatus
from akiba_replenish.documents import Document, Figures, LineInfo, Pack

FIGURES = (
    "beginning_balance", "received", "consumed", "losses_and_adjustments", "stock_on_hand",
    "stockout_days", "total", "adjusted_consumption", "average_consumption", "maximum_stock",
    "ideal_stock_order", "average_monthly_consumption", "months_of_stock",
)  # fmt: skip
_LINE_COLUMNS = (
    "requisition_id", "orderable_id", "position", "full_supply", *FIGURES, "calculated",
    "requested", "explanation", "approved", "remarks", "pack_size", "rounding_threshold",
    "round_to_zero", "price_per_pack",
)  # fmt: skip
_HEAD = """
insert into requisitions (requisition_id, kind, facility_id, program_id, period_id, emergency,
    status, version, node_id, supplying_facility_id, template_id, max_months_of_stock,
    min_months_of_stock, comment, created_by, created_at, updated_at)
values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $16)
"""
_UPDATE = """
update requisitions set status = $2, version = $3, node_id = $4, supplying_facility_id = $5,
       updated_at = now()
 where requisition_id = $1
"""
_EDIT_LINES = """
update requisition_lines l
   set requested = u.requested, explanation = u.explanation, approved = u.approved,
       remarks = u.remarks
  from unnest($2::uuid[], $3::bigint[], $4::text[], $5::bigint[], $6::text[])
       as u (orderable_id, requested, explanation, approved, remarks)
 where l.requisition_id = $1 and l.orderable_id = u.orderable_id
"""


class RequisitionRepository(Protocol):
    """Where requisitions are kept."""

    async def get(self, requisition_id: UUID, *, lock: bool = False) -> Document | None:
        """One requisition with its lines and history (locked for update if asked)."""
        ...

    async def add(self, doc: Document) -> None:
        """Store a new requisition (UniqueViolation if its period has one already)."""
        ...

    async def save(self, doc: Document) -> None:
        """Store its status, version, lines' quantities and new history steps."""
        ...

    async def delete(self, requisition_id: UUID) -> None:
        """Remove it, lines and history included."""
        ...


class AsyncpgRequisitions:
    """Requisitions, lines and history tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    async def get(self, requisition_id: UUID, *, lock: bool = False) -> Document | None:
        """One requisition with its lines and history (locked for update if asked)."""
        sql = "select * from requisitions where requisition_id = $1"
        head = await self.conn.fetchrow(sql + (" for update" if lock else ""), requisition_id)
        if head is None:
            return None
        lines = await self.conn.fetch(
            "select * from requisition_lines where requisition_id = $1 order by position",
            requisition_id,
        )
        steps = await self.conn.fetch(
            "select * from requisition_history where requisition_id = $1 order by step",
            requisition_id,
        )
        return _document(head, lines, steps)

    async def add(self, doc: Document) -> None:
        """Store a new requisition (UniqueViolation if its period has one already)."""
        r = doc.requisition
        await self.conn.execute(
            _HEAD, r.requisition_id, doc.kind.value, r.facility_id, r.program_id, r.period_id,
            r.emergency, r.status.value, r.version, r.node_id, r.supplying_facility_id,
            doc.template_id, doc.max_months_of_stock, doc.min_months_of_stock, doc.comment,
            doc.created_by, doc.created_at,
        )  # fmt: skip
        await self.conn.copy_records_to_table(
            "requisition_lines", records=_line_rows(doc), columns=list(_LINE_COLUMNS)
        )
        await self._history(doc)

    async def save(self, doc: Document) -> None:
        """Store its status, version, lines' quantities and new history steps."""
        r = doc.requisition
        await self.conn.execute(
            _UPDATE, r.requisition_id, r.status.value, r.version, r.node_id,
            r.supplying_facility_id,
        )  # fmt: skip
        lines = list(r.lines.values())
        await self.conn.execute(
            _EDIT_LINES, r.requisition_id, [x.orderable_id for x in lines],
            [x.requested for x in lines], [x.explanation for x in lines],
            [x.approved for x in lines], [x.remarks for x in lines],
        )  # fmt: skip
        await self._history(doc)

    async def delete(self, requisition_id: UUID) -> None:
        """Remove it, lines and history included."""
        await self.conn.execute(
            "delete from requisitions where requisition_id = $1", requisition_id
        )

    async def _history(self, doc: Document) -> None:
        new = doc.requisition.history[doc.history_saved :]
        if not new:
            return
        first = doc.history_saved + 1
        rows = [
            (doc.requisition_id, first + i, c.status.value, c.actor, c.at, c.node_id, c.reason)
            for i, c in enumerate(new)
        ]
        await self.conn.executemany(
            "insert into requisition_history (requisition_id, step, status, actor, at, node_id,"
            " reason) values ($1, $2, $3, $4, $5, $6, $7)",
            rows,
        )
        doc.history_saved += len(new)


def _line_rows(doc: Document) -> list[tuple[Any, ...]]:
    rows = []
    for orderable_id, line in doc.requisition.lines.items():
        info = doc.info[orderable_id]
        f, p = info.figures, info.pack
        rows.append(
            (doc.requisition_id, orderable_id, info.position, info.full_supply,
             *(getattr(f, name) for name in FIGURES), line.calculated, line.requested,
             line.explanation, line.approved, line.remarks, p.size, p.threshold,
             p.round_to_zero, p.price)
        )  # fmt: skip
    return rows


def _document(head: Record, lines: Sequence[Record], steps: Sequence[Record]) -> Document:
    r = Requisition(
        requisition_id=head["requisition_id"],
        facility_id=head["facility_id"],
        program_id=head["program_id"],
        period_id=head["period_id"],
        emergency=head["emergency"],
        lines={x["orderable_id"]: _line(x) for x in lines},
        internal=head["kind"] == RequisitionKind.INTERNAL_ORDER.value,
        status=RequisitionStatus(head["status"]),
        version=head["version"],
        node_id=head["node_id"],
        supplying_facility_id=head["supplying_facility_id"],
        history=[
            Change(RequisitionStatus(s["status"]), s["actor"], s["at"], s["node_id"], s["reason"])
            for s in steps
        ],
    )
    return Document(
        kind=RequisitionKind(head["kind"]),
        requisition=r,
        info={x["orderable_id"]: _info(x) for x in lines},
        created_by=head["created_by"],
        created_at=head["created_at"],
        template_id=head["template_id"],
        max_months_of_stock=head["max_months_of_stock"],
        min_months_of_stock=head["min_months_of_stock"],
        comment=head["comment"],
        history_saved=len(steps),
    )


def _line(x: Record) -> Line:
    return Line(
        x["orderable_id"], x["calculated"], x["requested"], x["explanation"], x["approved"],
        x["remarks"],
    )  # fmt: skip


def _info(x: Record) -> LineInfo:
    pack = Pack(x["pack_size"], x["rounding_threshold"], x["round_to_zero"], x["price_per_pack"])
    return LineInfo(x["position"], x["full_supply"], Figures(**{n: x[n] for n in FIGURES}), pack)
