"""A requisition document in its HTTP shapes, and an HTTP line edit as the rules take it:
the same answers from the requisition service and from a site's gateway."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from akiba_contracts.requisition_http import (
    LineEdit,
    LineResponse,
    RequisitionResponse,
    StepResponse,
)
from akiba_replenish.documents import Document, labels
from akiba_replenish.workflow import Edit


def edit_of(line: LineEdit) -> Edit:
    """An HTTP line edit as the rules take it."""
    return Edit(
        line.orderable_id,
        line.requested_quantity,
        line.explanation,
        line.approved_quantity,
        line.remarks,
    )


def summary(doc: Document) -> dict[str, Any]:
    """The fields every requisition shape shares."""
    r = doc.requisition
    return {
        "requisition_id": r.requisition_id, "kind": doc.kind, "facility_id": r.facility_id,
        "program_id": r.program_id, "period_id": r.period_id, "emergency": r.emergency,
        "status": r.status, "version": r.version, "node_id": r.node_id,
        "supplying_facility_id": r.supplying_facility_id, "created_by": doc.created_by,
        "created_at": doc.created_at, **labels(doc.kind, r.status),
    }  # fmt: skip


def whole(doc: Document) -> RequisitionResponse:
    """The full document."""
    r = doc.requisition
    return RequisitionResponse(
        **summary(doc),
        template_id=doc.template_id,
        max_months_of_stock=doc.max_months_of_stock,
        min_months_of_stock=doc.min_months_of_stock,
        comment=doc.comment,
        lines=[_line(doc, o) for o in r.lines],
        history=[
            StepResponse(
                status=c.status, actor=c.actor, at=c.at, node_id=c.node_id, reason=c.reason
            )
            for c in r.history
        ],
    )


def _line(doc: Document, orderable_id: UUID) -> LineResponse:
    line, info = doc.requisition.lines[orderable_id], doc.info[orderable_id]
    f = info.figures
    return LineResponse(
        orderable_id=orderable_id, full_supply=info.full_supply,
        beginning_balance=f.beginning_balance, total_received_quantity=f.received,
        total_consumed_quantity=f.consumed,
        total_losses_and_adjustments=f.losses_and_adjustments, stock_on_hand=f.stock_on_hand,
        total_stockout_days=f.stockout_days, total=f.total,
        adjusted_consumption=f.adjusted_consumption, average_consumption=f.average_consumption,
        maximum_stock_quantity=f.maximum_stock, calculated_order_quantity=line.calculated,
        calculated_order_quantity_isa=f.ideal_stock_order,
        average_monthly_consumption=f.average_monthly_consumption,
        months_of_stock=f.months_of_stock, requested_quantity=line.requested,
        requested_quantity_explanation=line.explanation, approved_quantity=line.approved,
        remarks=line.remarks, pack_size=info.pack.size, packs_to_ship=doc.packs(orderable_id),
        price_per_pack=info.pack.price, total_cost=doc.cost(orderable_id),
    )  # fmt: skip
