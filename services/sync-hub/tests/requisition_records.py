"""Requisition's and auth's records as their owners publish them, for the feed's tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from uuid import UUID, uuid4

from akiba_contracts.payloads import (
    ApprovedProductChanged,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    RequisitionReleased,
    RequisitionStatusChanged,
    ScheduleChanged,
    SiteRequisitionRefused,
    SupervisoryNodeChanged,
    TemplateChanged,
)

NOW = datetime.now(UTC)


def program(program_id: UUID, version: int = 1) -> ProgramChanged:
    """A program."""
    return ProgramChanged(
        program_id=program_id,
        code=f"P-{program_id.hex[:8]}",
        name="Essential medicines",
        periods_skippable=False,
        skip_authorization=False,
        report_only=False,
        active=True,
        version=version,
        changed_at=NOW,
    )


def program_orderable(program_id: UUID, item_id: UUID) -> ProgramOrderableChanged:
    """An item's settings under a program."""
    return ProgramOrderableChanged(
        program_id=program_id,
        orderable_id=item_id,
        full_supply=True,
        category="Tablets",
        display_order=1,
        active=True,
        version=1,
        changed_at=NOW,
    )


def approved_product(facility_type_id: UUID, program_id: UUID) -> ApprovedProductChanged:
    """An item approved for a facility type under a program."""
    return ApprovedProductChanged.model_validate(
        {
            "facility_type_id": facility_type_id,
            "program_id": program_id,
            "orderable_id": uuid4(),
            "max_periods_of_stock": "3",
            "active": True,
            "version": 1,
            "changed_at": NOW,
        }
    )


def schedule(schedule_id: UUID) -> ScheduleChanged:
    """A processing schedule."""
    return ScheduleChanged(
        schedule_id=schedule_id, code="M1", name="Monthly", version=1, changed_at=NOW
    )


def period(period_id: UUID) -> PeriodChanged:
    """A period of a schedule."""
    return PeriodChanged(
        period_id=period_id,
        schedule_id=uuid4(),
        name="Jan",
        start_date=date(2026, 1, 1),
        end_date=date(2026, 1, 31),
        months=1,
        version=1,
        changed_at=NOW,
    )


def group_schedule(group_id: UUID, program_id: UUID) -> GroupScheduleChanged:
    """The schedule a group follows for a program."""
    return GroupScheduleChanged(
        group_id=group_id, program_id=program_id, schedule_id=uuid4(), version=1, changed_at=NOW
    )


def template(template_id: UUID) -> TemplateChanged:
    """A requisition template."""
    return TemplateChanged(
        template_id=template_id,
        program_id=uuid4(),
        facility_type_ids=[],
        name="Default",
        columns={},
        stock_based=True,
        active=True,
        version=1,
        changed_at=NOW,
    )


def requisition_group(group_id: UUID, *facilities: UUID) -> RequisitionGroupChanged:
    """Auth's requisition group."""
    return RequisitionGroupChanged(
        group_id=group_id,
        code=f"G-{group_id.hex[:8]}",
        name="District group",
        node_id=uuid4(),
        facility_ids=sorted(facilities),
        program_ids=[uuid4()],
        active=True,
        changed_at=NOW,
    )


def supervisory_node(node_id: UUID) -> SupervisoryNodeChanged:
    """Auth's supervisory node: not the feed's business."""
    return SupervisoryNodeChanged(
        node_id=node_id,
        code=f"N-{node_id.hex[:8]}",
        name="District node",
        facility_id=None,
        parent_id=None,
        active=True,
        changed_at=NOW,
    )


def ideal_stock_amount(store_id: UUID, amount: int = 100) -> IdealStockAmountChanged:
    """An ideal stock amount of one of a store's items for a period."""
    return IdealStockAmountChanged(
        facility_id=store_id,
        orderable_id=uuid4(),
        period_id=uuid4(),
        amount=amount,
        version=1,
        changed_at=NOW,
    )


def status(
    requisition_id: UUID, store_id: UUID, status: str, version: int
) -> RequisitionStatusChanged:
    """A requisition of the store after a step (its lines gone once deleted)."""
    lines = [{"orderable_id": uuid4(), "calculated": 10, "approved": 8}]
    return RequisitionStatusChanged.model_validate(
        {
            "requisition_id": requisition_id,
            "kind": "PROGRAM",
            "facility_id": store_id,
            "program_id": uuid4(),
            "period_id": uuid4(),
            "emergency": False,
            "status": status,
            "version": version,
            "node_id": None,
            "supplying_facility_id": None,
            "actor": "supervisor",
            "at": NOW,
            "lines": None if status == "DELETED" else lines,
        }
    )


def released(requisition_id: UUID, store_id: UUID) -> RequisitionReleased:
    """A release to an order: fulfillment's business, not the feed's."""
    return RequisitionReleased(
        requisition_id=requisition_id,
        kind="PROGRAM",
        requesting_facility_id=store_id,
        supplying_facility_id=uuid4(),
        program_id=None,
        period_id=None,
        period_start=None,
        period_end=None,
        emergency=False,
        version=5,
        released_by="clerk",
        released_at=NOW,
        lines=[],
    )


def step_refused(site_id: str | None, store_id: UUID, event_id: str) -> SiteRequisitionRefused:
    """Requisition's refusal of a step a site sent."""
    return SiteRequisitionRefused(
        event_id=event_id,
        site_id=site_id,
        requisition_id=uuid4(),
        facility_id=store_id,
        step="SUBMIT",
        expected_version=2,
        reason="the requisition is at version 3",
        refused_at=NOW,
    )
