"""Reference records → their `…Changed` contract payloads, compacted topics and keys."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from akiba_contracts.payloads import (
    ApprovedProductChanged,
    GroupScheduleChanged,
    IdealStockAmountChanged,
    Payload,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    ScheduleChanged,
    TemplateChanged,
)
from akiba_platform import OutboxMessage, message_of
from akiba_requisition.domain import reference as ref

SOURCE = "/akiba/requisition"
PROGRAMS = "requisition.programs"
SCHEDULES = "requisition.schedules"
TEMPLATES = "requisition.templates"
AMOUNTS = "requisition.ideal-stock-amounts"

# record type → (payload, topic, CloudEvents subject prefix)
ROUTES: dict[type[ref.Reference], tuple[type[Payload], str, str]] = {
    ref.Program: (ProgramChanged, PROGRAMS, "programs"),
    ref.ProgramOrderable: (ProgramOrderableChanged, PROGRAMS, "program-orderables"),
    ref.ApprovedProduct: (ApprovedProductChanged, PROGRAMS, "approved-products"),
    ref.Schedule: (ScheduleChanged, SCHEDULES, "schedules"),
    ref.Period: (PeriodChanged, SCHEDULES, "periods"),
    ref.GroupSchedule: (GroupScheduleChanged, SCHEDULES, "group-schedules"),
    ref.RequisitionTemplate: (TemplateChanged, TEMPLATES, "templates"),
    ref.IdealStockAmount: (IdealStockAmountChanged, AMOUNTS, "ideal-stock-amounts"),
}


def _state(record: ref.Reference) -> dict[str, Any]:
    state = asdict(record)
    if isinstance(record, ref.Period):
        state["months"] = record.months
    return state


def payload_of(record: ref.Reference, changed_at: datetime) -> Payload:
    """The record's full current state as its contract payload."""
    model = ROUTES[type(record)][0]
    return model.model_validate({**_state(record), "changed_at": changed_at})


def changed(record: ref.Reference, changed_at: datetime | None = None) -> OutboxMessage:
    """The outbox message announcing a record's current state, under its compaction key."""
    _, topic, subject = ROUTES[type(record)]
    payload = payload_of(record, changed_at or datetime.now(UTC))
    return message_of(topic, SOURCE, f"{subject}/{payload.partition_key()}", payload)
