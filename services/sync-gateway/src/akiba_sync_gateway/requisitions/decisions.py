"""Central's word on the site's requisitions, from the feed: each one's latest state (approved,
rejected, approved quantities, the node it waits at) and the steps central refused."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from akiba_contracts.payloads import (
    RequisitionKind,
    RequisitionStatusChanged,
    SiteRequisitionRefused,
)
from akiba_contracts.sync import FeedEntry
from akiba_replenish import Change, Line, Requisition, RequisitionStatus
from akiba_replenish.documents import Document, Figures, LineInfo, Pack
from akiba_sync_gateway.adapters import outbox
from akiba_sync_gateway.ids import at
from akiba_sync_gateway.requisitions import store
from akiba_sync_gateway.requisitions.catalogue import SiteCatalogue

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
    if row is None:
        # Ours once if its lane holds a step (deleted here, its deletion on its way): never
        # brought back; else a requisition of our store drafted elsewhere.
        ours = c.execute(
            "SELECT 1 FROM outbox WHERE store_id = ? LIMIT 1", (store.lane(s.requisition_id),)
        ).fetchone()
        if ours is None and s.status != DELETED:
            _adopt(c, s)
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


def _adopt(c: sqlite3.Connection, s: RequisitionStatusChanged) -> None:
    """Keep a copy of a requisition of our store that central holds and we do not (drafted
    centrally before the site took the store, or by a gateway since replaced): its period is
    taken, and the store's users see it. Its lines carry the quantities; figures stay central's."""
    if s.period_id is not None and s.kind is RequisitionKind.PROGRAM and not s.emergency:
        # A draft of ours for the same period that central never acknowledged cannot be
        # applied there (central holds the period): central's requisition takes its place.
        c.execute(
            "DELETE FROM requisitions WHERE facility_id = ? AND program_id = ? AND period_id = ?"
            " AND kind = 'PROGRAM' AND emergency = 0 AND central_version = 0",
            (str(s.facility_id), str(s.program_id), str(s.period_id)),
        )
    lines = s.lines or []
    packs = SiteCatalogue(c).packs([line.orderable_id for line in lines])
    info = {}
    for i, line in enumerate(lines):
        _, size, threshold, to_zero = packs.get(line.orderable_id, ("", 1, 0, False))
        info[line.orderable_id] = LineInfo(i, True, Figures(), Pack(size, threshold, to_zero, None))
    r = Requisition(
        s.requisition_id, s.facility_id, s.program_id, s.period_id, s.emergency,
        {x.orderable_id: Line(x.orderable_id, x.calculated, x.requested, None, x.approved,
                              x.remarks) for x in lines},
        internal=s.kind is RequisitionKind.INTERNAL_ORDER, status=RequisitionStatus(s.status),
        version=s.version, node_id=s.node_id, supplying_facility_id=s.supplying_facility_id,
        history=[Change(RequisitionStatus(s.status), s.actor, s.at, s.node_id, s.reason)],
    )  # fmt: skip
    try:
        store.add(c, Document(s.kind, r, info, s.actor, s.at), central_version=s.version)
    except store.AlreadyInitiated:  # ours holds the period and central knows it: keep ours
        return


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
