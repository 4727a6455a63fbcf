"""Which feed row each requisition and supervision record becomes, and which it leaves alone."""

from __future__ import annotations

from uuid import uuid4

import pytest

from akiba_contracts.envelope import CloudEvent, new_event
from akiba_contracts.payloads import Payload
from akiba_sync_hub.consumers import UnreadableEvent, change_of
from akiba_sync_hub.domain.model import GLOBAL, FeedChange, latest

from .. import requisition_records as rec

A, B, STORE, SITE = uuid4(), uuid4(), uuid4(), uuid4()
REQUISITION = uuid4()


def _event(p: Payload) -> CloudEvent:
    key = p.partition_key()
    return new_event(source="/t", type=p.event_type, subject=key, data=p, partitionkey=key)


def _place(p: Payload) -> tuple[str, str, str]:
    change = change_of(_event(p))
    assert change is not None
    return change.identity


@pytest.mark.parametrize(
    ("payload", "kind", "key"),
    [
        (rec.program(A), "program", f"{A}"),
        (rec.program_orderable(A, B), "program-orderable", f"{A}:{B}"),
        (rec.schedule(A), "schedule", f"{A}"),
        (rec.period(A), "period", f"{A}"),
        (rec.group_schedule(A, B), "group-schedule", f"{A}:{B}"),
        (rec.template(A), "template", f"{A}"),
        (rec.requisition_group(A, STORE), "requisition-group", f"{A}"),
    ],
)
def test_the_data_a_site_drafts_from_is_global_under_its_kind_and_key(
    payload: Payload, kind: str, key: str
) -> None:
    assert _place(payload) == (GLOBAL, kind, key)


def test_an_approved_product_is_global_keyed_by_facility_type_program_and_item() -> None:
    p = rec.approved_product(A, B)

    assert _place(p) == (GLOBAL, "approved-product", f"{A}:{B}:{p.orderable_id}")


def test_an_ideal_stock_amount_belongs_to_its_stores_scope() -> None:
    p = rec.ideal_stock_amount(STORE)

    assert _place(p) == (f"store:{STORE}", "ideal-stock-amount", p.partition_key())


@pytest.mark.parametrize("status", ["INITIATED", "APPROVED", "REJECTED", "DELETED"])
def test_a_requisition_is_one_row_of_its_requesting_stores_scope_whatever_its_status(
    status: str,
) -> None:
    change = change_of(_event(rec.status(REQUISITION, STORE, status, 4)))

    assert change is not None and change.data is not None
    assert change.identity == (f"store:{STORE}", "requisition", str(REQUISITION))
    assert (change.data["status"], change.version) == (status, 4)


def test_a_refused_step_reaches_the_site_that_sent_it() -> None:
    p = rec.step_refused(str(SITE), STORE, "ev-1")

    assert _place(p) == (f"site:{SITE}", "requisition-refusal", "ev-1")


@pytest.mark.parametrize("claimed", [None, "not-a-site-id"])
def test_a_refused_step_without_a_readable_site_goes_to_its_stores_scope(
    claimed: str | None,
) -> None:
    p = rec.step_refused(claimed, STORE, "ev-2")

    assert _place(p) == (f"store:{STORE}", "requisition-refusal", "ev-2")


def test_supervisory_nodes_and_releases_are_not_the_feeds_business() -> None:
    assert change_of(_event(rec.supervisory_node(A))) is None
    assert change_of(_event(rec.released(REQUISITION, STORE))) is None


def test_a_requisition_record_that_does_not_read_is_unreadable() -> None:
    event = _event(rec.status(REQUISITION, STORE, "SUBMITTED", 2))
    broken = event.model_copy(update={"data": {"requisition_id": "x"}})

    with pytest.raises(UnreadableEvent):
        change_of(broken)


def test_records_without_a_version_carry_none() -> None:
    change = change_of(_event(rec.requisition_group(A)))

    assert change is not None and change.version is None


def _row(version: int | None, status: str) -> FeedChange:
    return FeedChange("store:s", "requisition", "r", "t", {"status": status}, version)


def test_an_older_version_later_in_a_batch_does_not_replace_a_newer_one() -> None:
    newer, older = _row(3, "APPROVED"), _row(2, "IN_APPROVAL")

    assert latest([newer, older]) == [newer]
    assert latest([older, newer]) == [newer]


def test_without_versions_the_last_change_of_a_row_wins() -> None:
    assert latest([_row(3, "APPROVED"), _row(None, "X")]) == [_row(None, "X")]
    assert latest([_row(3, "APPROVED"), _row(3, "Y")]) == [_row(3, "Y")]
