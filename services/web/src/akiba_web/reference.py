"""The names behind the ids a page shows: stores, items, lots, locations, reasons, programs.

Centrally it is filled from inventory's and requisition's compacted reference topics, at a
site from the gateway's own copy of them; either way pages read it without a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from uuid import UUID


@dataclass(frozen=True, slots=True)
class Store:
    """A store (facility) by its code and name."""

    store_id: UUID
    code: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Item:
    """An item (orderable)."""

    item_id: UUID
    code: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Batch:
    """A lot of an item."""

    batch_id: UUID
    item_id: UUID
    lot_code: str
    expiry_date: date | None


@dataclass(frozen=True, slots=True)
class Location:
    """A shelf or bin of a store."""

    location_id: UUID
    store_id: UUID
    code: str
    name: str
    active: bool = True


@dataclass(frozen=True, slots=True)
class Reason:
    """An adjustment reason: which way it moves stock."""

    reason_id: UUID
    name: str
    direction: str
    active: bool = True


@dataclass
class Reference:
    """The latest record of each kind, by id."""

    stores: dict[UUID, Store] = field(default_factory=dict)
    items: dict[UUID, Item] = field(default_factory=dict)
    batches: dict[UUID, Batch] = field(default_factory=dict)
    locations: dict[UUID, Location] = field(default_factory=dict)
    reasons: dict[UUID, Reason] = field(default_factory=dict)
    programs: dict[UUID, str] = field(default_factory=dict)
    periods: dict[UUID, str] = field(default_factory=dict)

    def store_name(self, store_id: UUID | str) -> str:
        """The store's name, or its id while the name is not known here yet."""
        store = self.stores.get(UUID(str(store_id)))
        return store.name if store else str(store_id)

    def item_label(self, item_id: UUID | str) -> str:
        """`code name` of the item, or its id."""
        item = self.items.get(UUID(str(item_id)))
        return f"{item.code} {item.name}" if item else str(item_id)

    def location_name(self, location_id: UUID | str | None) -> str:
        """The location's code, or empty for stock kept at no location."""
        if location_id is None:
            return ""
        loc = self.locations.get(UUID(str(location_id)))
        return loc.code if loc else str(location_id)

    def reason_name(self, reason_id: UUID | str | None) -> str:
        """The reason's name, or empty for none."""
        if reason_id is None:
            return ""
        reason = self.reasons.get(UUID(str(reason_id)))
        return reason.name if reason else str(reason_id)

    def named(self, names: dict[UUID, str], some_id: UUID | str | None) -> str:
        """A program's or period's name, or its id while not known here (empty for none)."""
        if some_id is None:
            return ""
        return names.get(UUID(str(some_id)), str(some_id))

    def locations_of(self, store_id: UUID) -> list[Location]:
        """The store's active locations, by code."""
        found = [x for x in self.locations.values() if x.store_id == store_id and x.active]
        return sorted(found, key=lambda x: x.code)

    def batches_of(self, item_id: UUID) -> list[Batch]:
        """The item's lots, earliest expiry first."""
        found = [b for b in self.batches.values() if b.item_id == item_id]
        return sorted(found, key=lambda b: (b.expiry_date or date.max, b.lot_code))

    def active_items(self) -> list[Item]:
        """Active items by code."""
        return sorted((i for i in self.items.values() if i.active), key=lambda i: i.code)

    def active_reasons(self, direction: str | None = None) -> list[Reason]:
        """Active reasons (of one direction, if given) by name."""
        found = [
            r
            for r in self.reasons.values()
            if r.active and (direction is None or r.direction == direction)
        ]
        return sorted(found, key=lambda r: r.name)
