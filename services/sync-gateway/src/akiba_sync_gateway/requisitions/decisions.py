"""Central's word on the site's requisitions, from the feed: each one's latest state (approved,
rejected, approved quantities, the node it waits at) and the steps central refused."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from akiba_contracts.payloads import RequisitionStatusChanged, SiteRequisitionRefused
from akiba_contracts.sync import FeedEntry
from akiba_replenish import Change, RequisitionStatus
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at
from akiba_sync_gateway.requisitions import store

DELETED = "DELETED"


def apply_state(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Take central's state of a requisition: its steps below that version are synced, and
    what central decided since our last step becomes ours."""
    s = RequisitionStatusChanged.model_validate(e.data)
    # Each of our steps names the version it was taken on: central at a later version has
    # applied it (a refusal, which also reaches us, keeps its event refused).
    c.execute(
        "UPDATE outbox SET state = 'synced', synced_at = ? WHERE store_id = ?"
        " AND state = 'forwarded' AND first_sequence < ?",
        (at(now), store.lane(s.requisition_id), s.version),
    )
    row = c.execute(
        "SELECT version FROM requisitions WHERE requisition_id = ?", (str(s.requisition_id),)
    ).fetchone()
    if row is None:  # not drafted here, or deleted here already
        return
    if s.status == DELETED:
        store.remove(c, s.requisition_id)
        return
    if s.version < row[0]:  # our later steps are still on their way: they will be applied
        c.execute(
            "UPDATE requisitions SET central_version = max(central_version, ?)"
            " WHERE requisition_id = ?",
            (s.version, str(s.requisition_id)),
        )
        return
    doc = store.load(c, s.requisition_id)
    r = doc.requisition
    status = RequisitionStatus(s.status)
    if s.version > r.version and status is not r.status:
        r.history.append(Change(status, s.actor, s.at, s.node_id, s.reason))
    r.status, r.version, r.node_id = status, s.version, s.node_id
    r.supplying_facility_id = s.supplying_facility_id
    for line in s.lines or ():
        mine = r.lines.get(line.orderable_id)
        if mine is not None:
            mine.requested, mine.approved, mine.remarks = (
                line.requested,
                line.approved,
                line.remarks,
            )
    store.save(c, doc, central_version=s.version)
    c.execute(
        "UPDATE requisitions SET refusal = NULL WHERE requisition_id = ?", (str(r.requisition_id),)
    )


def apply_refusal(c: sqlite3.Connection, e: FeedEntry, now: datetime, site: str) -> None:
    """Central refused one of our steps: never sent again, shown in the sync status and on the
    requisition until central's next word on it."""
    r = SiteRequisitionRefused.model_validate(e.data)
    outbox.record_error(c, "rejection", r.reason, now, r.event_id)
    outbox.refuse(c, r.event_id, "requisition", r.reason)
    c.execute(
        "UPDATE requisitions SET refusal = ? WHERE requisition_id = ?",
        (r.reason, str(r.requisition_id)),
    )
