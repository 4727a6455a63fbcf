"""A site's INITIATE becomes the requisition the site computed, as central keeps it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest

from akiba_contracts.payloads import SiteRequisitionRecorded
from akiba_replenish import Edit, RequisitionStatus
from akiba_replenish.documents import Figures, Pack
from akiba_requisition.domain.errors import CannotInitiate
from akiba_requisition.inbound import document_of, edits_of

AT = datetime(2026, 7, 2, 9, 30, tzinfo=UTC)
ITEM, OTHER = uuid4(), uuid4()


def _line(item: Any, **figures: Any) -> dict[str, Any]:
    return {
        "orderable_id": item, "position": 0, "full_supply": True, "pack_size": 10,
        "pack_rounding_threshold": 5, "round_to_zero": False, "price_per_pack": "2.50",
        "calculated": 687, "requested": 700, "explanation": "whole packs", "figures": figures,
    }  # fmt: skip


def _initiate(**fields: Any) -> SiteRequisitionRecorded:
    return SiteRequisitionRecorded.model_validate({
        "requisition_id": uuid4(), "facility_id": uuid4(), "step": "INITIATE",
        "expected_version": 0, "actor": "nurse", "at": AT, "kind": "PROGRAM",
        "program_id": uuid4(), "period_id": uuid4(), "template_id": uuid4(),
        "lines": [_line(ITEM, stock_on_hand=12, average_monthly_consumption="30.5")], **fields,
    })  # fmt: skip


def test_a_program_requisition_starts_at_version_one_with_the_sites_lines() -> None:
    p = _initiate()
    doc = document_of(p)
    r = doc.requisition
    assert (r.requisition_id, r.facility_id, r.program_id, r.period_id) == (
        p.requisition_id, p.facility_id, p.program_id, p.period_id,
    )  # fmt: skip
    assert (r.status, r.version, r.history, r.internal) == (
        RequisitionStatus.INITIATED,
        1,
        [],
        False,
    )
    assert (doc.created_by, doc.created_at, doc.template_id) == ("nurse", AT, p.template_id)
    line = r.lines[ITEM]
    assert (line.calculated, line.requested, line.explanation) == (687, 700, "whole packs")
    assert line.approved is None
    info = doc.info[ITEM]
    assert info.figures == Figures(stock_on_hand=12, average_monthly_consumption=Decimal("30.5"))
    assert info.pack == Pack(10, 5, False, Decimal("2.50"))
    assert doc.packs(ITEM) == 70


def test_an_internal_order_keeps_its_supplier_and_drops_any_period() -> None:
    supplier = uuid4()
    doc = document_of(_initiate(
        kind="INTERNAL_ORDER", supplying_facility_id=supplier, emergency=True,
        max_months_of_stock="4", min_months_of_stock="2", comment="before the rains",
    ))  # fmt: skip
    r = doc.requisition
    assert (r.internal, r.supplying_facility_id, r.period_id, r.emergency) == (
        True, supplier, None, False,
    )  # fmt: skip
    assert (doc.max_months_of_stock, doc.min_months_of_stock) == (Decimal(4), Decimal(2))
    assert doc.comment == "before the rains"


def test_a_program_requisition_waits_for_central_to_name_its_supplier() -> None:
    doc = document_of(_initiate(supplying_facility_id=uuid4()))
    assert doc.requisition.supplying_facility_id is None


def test_a_product_on_two_lines_is_refused() -> None:
    with pytest.raises(CannotInitiate, match="twice"):
        document_of(_initiate(lines=[_line(ITEM), _line(OTHER), _line(ITEM)]))


def test_an_edit_changes_requested_quantities_with_their_reasons() -> None:
    p = SiteRequisitionRecorded.model_validate({
        "requisition_id": uuid4(), "facility_id": uuid4(), "step": "EDIT",
        "expected_version": 3, "actor": "nurse", "at": AT,
        "edits": [{"orderable_id": ITEM, "requested": 5, "explanation": "short shelf"}],
    })  # fmt: skip
    assert edits_of(p) == [Edit(ITEM, requested=5, explanation="short shelf")]
