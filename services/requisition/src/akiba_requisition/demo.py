"""Demo programs, schedules, templates and approved products for the demo stores and items.

Requisition learns inventory's demo items as it learns any item: from inventory's compacted
topics. The seed reads `inventory.orderables` and `inventory.facilities` to their end into its
read models (waiting for inventory's relay, which may lag its seed), then gives each program
the items that name it. Idempotent: only missing records are added, each with its event.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
import random
import time
from collections.abc import Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from aiokafka import AIOKafkaConsumer, TopicPartition

from akiba_contracts.envelope import InvalidEnvelope, decode
from akiba_platform import (
    Connection,
    Delivery,
    OutboxMessage,
    PermanentError,
    demo_id,
    kafka,
    open_pool,
    require_demo,
)
from akiba_replenish.templates import Column, Source
from akiba_requisition.adapters.reference import ProgramItem, ReferenceRepository
from akiba_requisition.consumers import read_models
from akiba_requisition.domain import reference as ref
from akiba_requisition.reference_events import changed
from akiba_requisition.settings import Settings
from akiba_requisition.uow import RequisitionUnitOfWork

log = logging.getLogger(__name__)

# code: (name, periods skippable, category of its items)
PROGRAMS = {
    "EPI": ("Expanded Programme on Immunization", False, "Vaccines"),
    "FP": ("Family Planning", False, "Contraceptives"),
    "EM": ("Essential Medicines", True, "Essential medicines"),
}
PROGRAM_IDS = {code: demo_id("program", code) for code in PROGRAMS}
FACILITY_TYPES = [demo_id("facility-type", c) for c in ("NW", "RD", "DS", "HC", "DISP")]
SCHEDULE_ID = demo_id("schedule", "SCH-MONTHLY")
GROUP_ID = demo_id("requisition-group", "RG-NORTH-D1")
HF_0001 = demo_id("store", "HF-0001")
# A demo facility starts requisitioning three months back (its oldest open period), not at
# the start of a long history: periods run from then to a year ahead of the seeding month.
MONTHS_BACK, MONTHS_AHEAD = 3, 12


def months(today: date | None = None) -> list[tuple[int, int]]:
    """(year, month) of each demo period around `today` (default: now)."""
    today = today or datetime.now(UTC).date()
    first = today.year * 12 + today.month - 1 - MONTHS_BACK
    return [(n // 12, n % 12 + 1) for n in range(first, first + MONTHS_BACK + MONTHS_AHEAD + 1)]


S, C, U, R = Source.STOCK_CARDS, Source.CALCULATED, Source.USER_INPUT, Source.REFERENCE_DATA
# A stock-based template: the ledger gives A B C D E X and the average consumption (P; the
# rules want it from the ledger when the template is stock-based), then N H I V Q are worked
# out, J W K L entered, O R T U shown from reference data.
COLUMNS = {
    **dict.fromkeys(
        ["beginning_balance", "total_received_quantity", "total_consumed_quantity",
         "total_losses_and_adjustments", "stock_on_hand", "total_stockout_days",
         "average_consumption"], S),
    **dict.fromkeys(
        ["adjusted_consumption", "maximum_stock_quantity", "calculated_order_quantity",
         "packs_to_ship", "total_cost"], C),
    **dict.fromkeys(
        ["requested_quantity", "requested_quantity_explanation", "approved_quantity",
         "remarks"], U),
    **dict.fromkeys(["orderable_code", "orderable_name", "price_per_pack", "dispensing_unit"], R),
}  # fmt: skip


class InventoryNotReady(SystemExit):
    """Inventory's demo items did not reach its topic in time."""


def programs() -> list[ref.Program]:
    """EPI (periods never skipped), family planning, essential medicines (periods skippable)."""
    return [
        ref.Program(PROGRAM_IDS[code], code, name, periods_skippable=skippable)
        for code, (name, skippable, _) in PROGRAMS.items()
    ]


def _month(y: int, m: int) -> ref.Period:
    last = date(y, m, calendar.monthrange(y, m)[1])
    name = f"{calendar.month_name[m]} {y}"
    return ref.Period(demo_id("period", f"{y}-{m:02d}"), SCHEDULE_ID, name, date(y, m, 1), last)


def periods(today: date | None = None) -> list[ref.Period]:
    """One period per calendar month, three months back to a year ahead."""
    return [_month(y, m) for y, m in months(today)]


def templates() -> list[ref.RequisitionTemplate]:
    """A stock-based template per program; EPI's also works out the ISA order quantity."""
    made = []
    for code, program_id in PROGRAM_IDS.items():
        columns = {name: Column(source) for name, source in COLUMNS.items()}
        if code == "EPI":
            columns["calculated_order_quantity_isa"] = Column(C)
        template_id, name = demo_id("template", code), f"{code} stock-based"
        made.append(
            ref.RequisitionTemplate(
                template_id, program_id, name, columns, periods_to_average=3, stock_based=True
            )
        )
    return made


def program_orderables(items: Sequence[ProgramItem]) -> list[ref.ProgramOrderable]:
    """Each demo item in its program, with a plausible price per pack."""
    categories = {PROGRAM_IDS[code]: category for code, (_, _, category) in PROGRAMS.items()}
    made = []
    for position, item in enumerate(items):
        price = Decimal(random.Random(item.code).randint(50, 25_000)) / 100
        po = ref.ProgramOrderable(
            item.program_id, item.orderable_id, price_per_pack=price,
            category=categories[item.program_id], display_order=position,
        )  # fmt: skip
        made.append(po)
    return made


def approved_products(items: Sequence[ProgramItem]) -> list[ref.ApprovedProduct]:
    """Every item of its program at every facility type: 3 periods at most, 1 at least."""
    limits = (Decimal(3), Decimal(1), Decimal("0.5"))
    return [
        ref.ApprovedProduct(facility_type, item.program_id, item.orderable_id, *limits)
        for facility_type in FACILITY_TYPES
        for item in items
    ]


def amounts(items: Sequence[ProgramItem]) -> list[ref.IdealStockAmount]:
    """Kibera Health Centre's (HF-0001) ideal stock of each vaccine for each demo month."""
    made = []
    for item in items:
        if item.program_id != PROGRAM_IDS["EPI"]:
            continue
        monthly = 10 * random.Random(item.code).randint(4, 60)  # doses for its catchment
        for y, m in months():
            period_id = demo_id("period", f"{y}-{m:02d}")
            made.append(ref.IdealStockAmount(HF_0001, item.orderable_id, period_id, monthly))
    return made


async def _add_missing(
    repo: ReferenceRepository, records: Sequence[ref.Reference]
) -> list[OutboxMessage]:
    if not records:
        return []
    missing = set(await repo.missing(type(records[0]), [r.key for r in records]))
    new = [r for r in records if r.key in missing]
    await repo.add_many(new)
    return [changed(r) for r in new]


async def _apply(conn: Connection, records: Sequence[Any]) -> None:
    for r in records:
        try:
            event = decode(r.value or b"")
            await read_models.apply(conn, [Delivery(event, r, UUID(event.id))])
        except (InvalidEnvelope, PermanentError, ValueError) as exc:
            log.warning("skipped an unreadable record of %s: %s", r.topic, exc)


async def _behind(consumer: AIOKafkaConsumer, ends: dict[TopicPartition, int]) -> bool:
    for tp, end in ends.items():
        if await consumer.position(tp) < end:
            return True
    return False


async def _read_to_end(consumer: AIOKafkaConsumer, conn: Connection, deadline: float) -> int:
    """Apply every record up to the end offsets as they are now; how many there were."""
    while not consumer.assignment() and time.monotonic() < deadline:
        await consumer.getmany(timeout_ms=100)
    ends: dict[TopicPartition, int] = await consumer.end_offsets(list(consumer.assignment()))
    read = 0
    while time.monotonic() < deadline and await _behind(consumer, ends):
        batch = await consumer.getmany(timeout_ms=500, max_records=2000)
        records = [r for part in batch.values() for r in part]
        async with conn.transaction():
            await _apply(conn, records)
        read += len(records)
    return read


async def _every_program_has_items(conn: Connection, program_ids: Sequence[UUID]) -> bool:
    found = await conn.fetchval(
        "select count(distinct p) from orderables, unnest(program_ids) p"
        " where active and p = any($1::uuid[])",
        list(program_ids),
    )
    return bool(found == len(set(program_ids)))


async def learn_items(
    bootstrap: str,
    conn: Connection,
    topics: Sequence[str] = read_models.TOPICS,
    program_ids: Sequence[UUID] = tuple(PROGRAM_IDS.values()),
    timeout: float = 120.0,
) -> None:
    """Read inventory's item and store topics to their end into the read models, until every
    program has an item and the topics have stopped growing (inventory's relay done)."""
    consumer = AIOKafkaConsumer(
        *topics, bootstrap_servers=bootstrap, group_id=None, auto_offset_reset="earliest",
        enable_auto_commit=False, **kafka.options(),
    )  # fmt: skip
    deadline = time.monotonic() + timeout
    await consumer.start()
    try:
        while not await _every_program_has_items(conn, program_ids):
            if await _read_to_end(consumer, conn, deadline) == 0:
                if time.monotonic() > deadline:
                    raise InventoryNotReady(
                        f"no item of every demo program on {', '.join(topics)} after"
                        f" {timeout:.0f} s: is inventory's demo seeded and its relay running?"
                    )
                await asyncio.sleep(0.5)
        # Inventory's relay may still be publishing the rest: read until a second adds nothing.
        while time.monotonic() < deadline:
            await asyncio.sleep(1.0)
            if not await _read_to_end(consumer, conn, deadline):
                break
    finally:
        await consumer.stop()


async def seed(settings: Settings, topics: Sequence[str] = read_models.TOPICS) -> None:
    """Load the demo reference data (idempotent): programs, the monthly schedule, templates,
    the group's schedules, each program's items and their approvals, HF-0001's 2026 ISA."""
    require_demo(settings.demo, "requisition's demo programs")
    async with open_pool(settings) as pool:
        async with pool.acquire() as conn:
            await learn_items(settings.kafka_bootstrap_servers, conn, topics)
        async with RequisitionUnitOfWork(pool) as uow:
            repo = uow.reference
            items = await repo.program_items(list(PROGRAM_IDS.values()))
            schedule = ref.Schedule(SCHEDULE_ID, "SCH-MONTHLY", "Monthly")
            groups = [ref.GroupSchedule(GROUP_ID, p, SCHEDULE_ID) for p in PROGRAM_IDS.values()]
            records: list[Sequence[ref.Reference]] = [
                programs(), [schedule], periods(), groups, templates(),
                program_orderables(items), approved_products(items), amounts(items),
            ]  # fmt: skip
            for group in records:
                uow.publish(*await _add_missing(repo, group))
            await uow.commit()
