"""The site requisition bench's world: a site's SQLite file with one store, 1,000 items in one
program approved for the store's type, a monthly schedule from twelve months ago to this month,
a stock-based template averaging 3 periods, a clerk's cached credentials and a year of the
store's ledger.

Reference data arrives through the real feed path (`sync.feed.apply_page`, pages of
FEED_PAGE_LIMIT entries) and the clerk through `credentials.cache_credentials`, as a pull
brings them; the ledger is written straight into its tables (`bench/site_ledger.py`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import UUID

from argon2 import PasswordHasher

from akiba_contracts.payloads import (
    ApprovedProductChanged,
    ColumnSource,
    FacilityChanged,
    GroupScheduleChanged,
    OrderableChanged,
    Payload,
    PeriodChanged,
    ProgramChanged,
    ProgramOrderableChanged,
    RequisitionGroupChanged,
    TemplateChanged,
    TemplateColumn,
)
from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import EdgeDocumentsApplied
from akiba_contracts.payloads.reference import AdjustmentReasonChanged, BatchChanged
from akiba_contracts.rights import Right
from akiba_contracts.sync import (
    FEED_PAGE_LIMIT,
    FeedEntry,
    FeedKind,
    FeedPage,
    SiteCredentials,
    SiteUser,
)
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import connect, migrate
from akiba_sync_gateway.sync import feed
from bench import site_ledger
from bench.requisition_world import COLUMNS, MONTHS, months
from bench.site_ledger import Stock

ITEMS = 1_000
USERNAME, PASSWORD = "bench-clerk", "bench-password"
RIGHTS = (Right.REQUISITION_CREATE, Right.REQUISITION_AUTHORIZE, Right.REQUISITION_DELETE,
          Right.REQUISITION_VIEW, Right.STOCK_CARDS_VIEW)  # fmt: skip


@dataclass(frozen=True)
class Period:
    """A monthly period as the feed brought it."""

    period_id: UUID
    start: date
    end: date


@dataclass
class SiteWorld:
    """The site's file and the facts the measurements check against."""

    path: str
    site: UUID = field(default_factory=uuid.uuid4)
    store: UUID = field(default_factory=uuid.uuid4)
    program: UUID = field(default_factory=uuid.uuid4)
    kind: UUID = field(default_factory=uuid.uuid4)
    items: list[UUID] = field(default_factory=lambda: [uuid.uuid4() for _ in range(ITEMS)])
    batches: list[UUID] = field(default_factory=lambda: [uuid.uuid4() for _ in range(ITEMS)])
    loss: UUID = field(default_factory=uuid.uuid4)
    found: UUID = field(default_factory=uuid.uuid4)
    periods: list[Period] = field(default_factory=list)
    rows: list[site_ledger.Row] = field(default_factory=list)

    @property
    def stock(self) -> Stock:
        """What the ledger is about."""
        return Stock(self.store, self.items, self.batches, self.loss, self.found)


def build(path: str, rng: random.Random) -> SiteWorld:
    """Migrate the file, pull the reference data, cache the clerk, write the year of ledger."""
    today = datetime.now(UTC).date()
    w = SiteWorld(path)
    w.periods = [Period(uuid.uuid4(), s, e) for s, e in months(today)]
    assert len(w.periods) == MONTHS
    conn = connect(path)
    try:
        migrate(conn)
        entries = list(_entries(w))
        for n in range(0, len(entries), FEED_PAGE_LIMIT):
            page = FeedPage(
                entries=entries[n : n + FEED_PAGE_LIMIT],
                cursor=min(n + FEED_PAGE_LIMIT, len(entries)),
                more=n + FEED_PAGE_LIMIT < len(entries),
            )
            conn.execute("BEGIN IMMEDIATE")
            feed.apply_page(conn, after=n, page=page, now=_now(), site_id=str(w.site))
            conn.execute("COMMIT")
        conn.execute("BEGIN IMMEDIATE")
        credentials.cache_credentials(conn, _credentials(w))
        conn.execute("COMMIT")
        w.rows = site_ledger.year(rng, w.stock, today)
        site_ledger.write(conn, w.rows)
    finally:
        conn.close()
    return w


def _entries(w: SiteWorld) -> Iterator[FeedEntry]:
    records = [*_store(w), *_items(w), *_program(w)]
    for seq, (kind, key, p) in enumerate(records, start=1):
        yield FeedEntry(seq=seq, kind=kind, key=key, event_type=p.event_type,
                        data=p.model_dump(mode="json"))  # fmt: skip


Record = tuple[FeedKind, str, Payload]


def _store(w: SiteWorld) -> Iterator[Record]:
    """The store (of the bench's facility type), the site that manages it, central's hand-over
    (its ledger starts here at 1) and the adjustment reasons."""
    now = _now()
    yield FeedKind.FACILITY, str(w.store), FacilityChanged(
        store_id=w.store, code="SITE-S1", name="Site store", managed_by="site",
        facility_type_id=w.kind, active=True, version=1, changed_at=now)  # fmt: skip
    site = SiteChanged(site_id=w.site, name="bench site", active=True, store_ids=[w.store],
                       changed_at=now, version=1)  # fmt: skip
    yield FeedKind.SITE, str(w.site), site
    ack = EdgeDocumentsApplied(store_id=w.store, site_id=w.site, next_sequence=1, applied_at=now)
    yield FeedKind.ACK, str(w.store), ack
    for reason, direction in ((w.loss, "debit"), (w.found, "credit")):
        yield FeedKind.ADJUSTMENT_REASON, str(reason), AdjustmentReasonChanged(
            reason_id=reason, name=f"bench {direction}", direction=direction,
            category="adjustment", free_text_allowed=False, program_ids=[], facility_type_ids=[],
            active=True, version=1, changed_at=now)  # fmt: skip


def _items(w: SiteWorld) -> Iterator[Record]:
    """Each item with its pack facts and its one lot; in the program and approved for the type."""
    now = _now()
    for n, (item, batch) in enumerate(zip(w.items, w.batches, strict=True)):
        yield FeedKind.ORDERABLE, str(item), OrderableChanged(
            item_id=item, code=f"I{n:05d}", name=f"item {n}", dispensing_unit="tablet",
            net_content=10, pack_rounding_threshold=5, round_to_zero=False, vvm=False,
            cold_chain=False, program_ids=[w.program], active=True, version=1,
            changed_at=now)  # fmt: skip
        yield FeedKind.BATCH, str(batch), BatchChanged(
            batch_id=batch, item_id=item, lot_code="LOT-1", expiry_date=date(2030, 1, 1),
            active=True, version=1, changed_at=now)  # fmt: skip
        yield FeedKind.PROGRAM_ORDERABLE, f"{w.program}:{item}", ProgramOrderableChanged(
            program_id=w.program, orderable_id=item, full_supply=True,
            price_per_pack=Decimal(f"{1 + n % 40}.{n % 100:02d}"), category="Medicines",
            display_order=n, active=True, version=1, changed_at=now)  # fmt: skip
        yield FeedKind.APPROVED_PRODUCT, f"{w.kind}:{w.program}:{item}", ApprovedProductChanged(
            facility_type_id=w.kind, program_id=w.program, orderable_id=item,
            max_periods_of_stock=Decimal(3), min_periods_of_stock=Decimal(1), active=True,
            version=1, changed_at=now)  # fmt: skip


def _program(w: SiteWorld) -> Iterator[Record]:
    """The program (periods skippable), the store's requisition group and its monthly schedule,
    the periods, and the stock-based template averaging 3 periods (the central bench's columns)."""
    now, group, schedule, template = _now(), uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    yield FeedKind.PROGRAM, str(w.program), ProgramChanged(
        program_id=w.program, code="EM", name="Essential medicines", periods_skippable=True,
        skip_authorization=False, report_only=False, active=True, version=1,
        changed_at=now)  # fmt: skip
    yield FeedKind.REQUISITION_GROUP, str(group), RequisitionGroupChanged(
        group_id=group, code="RG1", name="District group", node_id=uuid.uuid4(),
        facility_ids=[w.store], program_ids=[w.program], active=True,
        changed_at=now)  # fmt: skip
    yield FeedKind.GROUP_SCHEDULE, f"{group}:{w.program}", GroupScheduleChanged(
        group_id=group, program_id=w.program, schedule_id=schedule, version=1,
        changed_at=now)  # fmt: skip
    for p in w.periods:
        yield FeedKind.PERIOD, str(p.period_id), PeriodChanged(
            period_id=p.period_id, schedule_id=schedule, name=f"{p.start:%Y-%m}",
            start_date=p.start, end_date=p.end, months=1, version=1, changed_at=now)  # fmt: skip
    yield FeedKind.TEMPLATE, str(template), TemplateChanged(
        template_id=template, program_id=w.program, facility_type_ids=[], name="Stock based",
        periods_to_average=3, stock_based=True, active=True, version=1, changed_at=now,
        columns={c: TemplateColumn(source=ColumnSource(s), displayed=True)
                 for c, s in COLUMNS.items()},
    )  # fmt: skip


def _credentials(w: SiteWorld) -> SiteCredentials:
    """The clerk: every requisition right at the store for the program."""
    user = SiteUser(
        user_id=uuid.uuid4(), username=USERNAME, active=True, home_facility_id=w.store,
        version=1, password_hash=PasswordHasher(1, 8, parallelism=1).hash(PASSWORD),
        permissions=[f"{r}|{w.store}|{w.program}" for r in RIGHTS],
    )  # fmt: skip
    return SiteCredentials(site_id=w.site, store_ids=[w.store], users=[user], issued_at=_now())


def _now() -> datetime:
    return datetime.now(UTC)
