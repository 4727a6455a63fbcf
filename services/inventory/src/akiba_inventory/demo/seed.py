"""A realistic demo: facility types, a zone tree, ~50 stores, ~500 items, batches, reasons.

Idempotent: only missing records are inserted, and each insert publishes its `…Changed` event
through the outbox in the same transaction, so other services' read models get the demo too.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import asyncpg

from akiba_inventory.adapters.reference import ReferenceRepository
from akiba_inventory.consumers.edge.writers import sync_stores
from akiba_inventory.demo import catalogue
from akiba_inventory.reference_events import changed
from akiba_inventory.settings import Settings
from akiba_inventory.uow import InventoryUnitOfWork
from akiba_platform import OutboxMessage, demo_id, require_demo
from akiba_stock import reference as ref

FACILITY_TYPES = [
    ("NW", "National warehouse"),
    ("RD", "Regional depot"),
    ("DS", "District store"),
    ("HC", "Health centre"),
    ("DISP", "Dispensary"),
]
# region code: (name, depot code or None, districts)
REGIONS = {
    "NAIROBI": ("Nairobi", None, ["Kibera", "Embakasi", "Westlands"]),
    "NORTH": ("Northern", "DEP-NORTH", ["Marsabit", "Isiolo", "Garissa"]),
    "COAST": ("Coast", "DEP-COAST", ["Mombasa", "Kilifi", "Kwale"]),
    "WEST": ("Western", "DEP-WEST", ["Kakamega", "Bungoma", "Busia"]),
    "RIFT": ("Rift Valley", "DEP-RIFT", ["Nakuru", "Kericho", "Narok"]),
}
PROGRAMS = {p: demo_id("program", p) for p in ("EPI", "FP", "EM")}
# name, direction, category, programs (empty: all)
REASONS = [
    ("Transfer in", "credit", "transfer", ()),
    ("Transfer out", "debit", "transfer", ()),
    ("Returned from facility", "credit", "transfer", ()),
    ("Returned to supplier", "debit", "transfer", ()),
    ("Damaged", "debit", "adjustment", ()),
    ("Expired", "debit", "adjustment", ()),
    ("Stolen", "debit", "adjustment", ()),
    ("Lost", "debit", "adjustment", ()),
    ("Found", "credit", "adjustment", ()),
    ("Passed open-vial time limit", "debit", "adjustment", ("EPI",)),
    ("Cold chain failure", "debit", "adjustment", ("EPI",)),
    ("VVM stage 3 or 4", "debit", "adjustment", ("EPI",)),
    ("Stocktake surplus", "credit", "physical_inventory", ()),
    ("Stocktake shortage", "debit", "physical_inventory", ()),
    ("Consumed", "debit", "aggregation", ()),
    ("Receipts", "credit", "aggregation", ()),
]


def _type(code: str) -> ref.FacilityType:
    return ref.FacilityType(demo_id("facility-type", code), code, dict(FACILITY_TYPES)[code])


def facility_types() -> list[ref.FacilityType]:
    """The five levels of a typical public supply chain."""
    return [_type(code) for code, _ in FACILITY_TYPES]


def zones() -> list[ref.GeographicZone]:
    """Country → regions → districts, parents first."""
    country = ref.GeographicZone(demo_id("zone", "KE"), "KE", "Kenya", 1)
    tree = [country]
    for code, (name, _, districts) in REGIONS.items():
        region = ref.GeographicZone(demo_id("zone", code), code, name, 2, country.zone_id)
        tree.append(region)
        for d in districts:
            tree.append(ref.GeographicZone(demo_id("zone", d.upper()), d.upper(), d, 3, region.id))
    return tree


def _store(code: str, name: str, kind: str, zone: str) -> ref.Store:
    # Stores start written centrally; auth's demo site takes Kibera Health Centre (HF-0001),
    # and inventory learns it from auth.sites like any assignment.
    t, z = demo_id("facility-type", kind), demo_id("zone", zone)
    return ref.Store(demo_id("store", code), code, name, t, z)


def stores() -> list[ref.Store]:
    """One warehouse, four depots, fifteen district stores and thirty facilities (50)."""
    made = [_store("WH-NAT", "National Medical Stores", "NW", "KE")]
    for region, (name, depot, _) in REGIONS.items():
        if depot:
            made.append(_store(depot, f"{name} Regional Depot", "RD", region))
    n = 0
    for _, _, districts in REGIONS.values():
        for d in districts:
            made.append(_store(f"DS-{d.upper()[:6]}", f"{d} District Store", "DS", d.upper()))
            for kind in ("HC", "DISP"):
                n += 1
                made.append(_facility(n, d, kind))
    return made


def _facility(n: int, district: str, kind: str) -> ref.Store:
    code = f"HF-{n:04d}"
    if n == 1:
        return _store(code, "Kibera Health Centre", "HC", "KIBERA")
    label = "Health Centre" if kind == "HC" else "Dispensary"
    return _store(code, f"{district} {label} {n}", kind, district.upper())


def locations(all_stores: list[ref.Store]) -> list[ref.Location]:
    """Shelves per store, more in warehouses, with cold rooms or fridges."""
    kinds = {t.facility_type_id: t.code for t in facility_types()}
    made = []
    for s in all_stores:
        kind = kinds[s.facility_type_id] if s.facility_type_id else "HC"
        shelves = {"NW": 12, "RD": 8, "DS": 4}.get(kind, 2)
        spots = [(f"S-{i:02d}", f"Shelf {i}", False) for i in range(1, shelves + 1)]
        cold = [("COLD-1", "Cold room 1", True)] if kind in ("NW", "RD") else []
        cold += [] if kind == "DISP" else [("FRIDGE-1", "Vaccine fridge 1", True)]
        for code, name, is_cold in spots + cold:
            location_id = demo_id("location", f"{s.code}:{code}")
            made.append(ref.Location(location_id, s.store_id, code, name, is_cold))
    return made


def reasons() -> list[ref.AdjustmentReason]:
    """Common stock adjustment reasons; EPI-only ones for vaccines."""
    return [
        ref.AdjustmentReason(
            demo_id("reason", name),
            name,
            ref.ReasonDirection(direction),
            ref.ReasonCategory(category),
            program_ids=tuple(PROGRAMS[p] for p in programs),
        )
        for name, direction, category, programs in REASONS
    ]


async def _add_missing(
    repo: ReferenceRepository, records: Sequence[ref.Reference]
) -> list[OutboxMessage]:
    if not records:
        return []
    missing = set(await repo.missing(type(records[0]), [r.id for r in records]))
    new = [r for r in records if r.id in missing]
    await repo.add_many(new)
    return [changed(r) for r in new]


async def _place_legacy_stores(
    repo: ReferenceRepository, wanted: list[ref.Store]
) -> list[OutboxMessage]:
    """Stores seeded before reference data existed get their type and zone."""
    messages = []
    for store in wanted:
        current = await repo.get(ref.Store, store.store_id, lock=True)
        if current is not None and current.facility_type_id is None:
            fields = ("facility_type_id", "zone_id")
            placed = ref.revised(current, **{f: getattr(store, f) for f in fields})
            await repo.update(placed)
            messages.append(changed(placed))
    return messages


async def seed(settings: Settings) -> None:
    """Insert the demo records that are missing, with their events, in one transaction.

    Only with AKIBA_DEMO=1: demo stores belong to demo sites and users with public secrets.
    """
    require_demo(settings.demo, "inventory's demo stores and items")
    conn: asyncpg.Connection[Any] = await asyncpg.connect(settings.database_url)
    try:
        async with conn.transaction():
            uow = InventoryUnitOfWork.joining(conn)
            repo = uow.reference
            all_stores, items = stores(), catalogue.items()
            groups: list[Sequence[ref.Reference]] = [
                facility_types(),
                zones(),
                all_stores,
                items,
                catalogue.batches(items, date.today()),
                locations(all_stores),
                reasons(),
            ]
            messages = []
            for records in groups:
                messages += await _add_missing(repo, records)
            messages += await _place_legacy_stores(repo, all_stores)
            uow.publish(*messages)
            # A demo site's assignment read before its stores existed applies to them now.
            await sync_stores(uow)
            await uow.commit()
    finally:
        await conn.close()
