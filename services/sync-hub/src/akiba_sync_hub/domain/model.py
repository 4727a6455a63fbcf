"""Feed scopes, feed changes and the sites that own them; no I/O here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

GLOBAL = "global"


def store_scope(store_id: UUID) -> str:
    """The scope of one store's records (facility, locations, stock levels, acks, rejections)."""
    return f"store:{store_id}"


def site_scope(site_id: UUID) -> str:
    """The scope of the site's own record."""
    return f"site:{site_id}"


@dataclass(frozen=True)
class FeedChange:
    """The new current value of one (scope, kind, key); `data` None means it was deleted.

    `version` is the record's own version when it has one: a lower one than the row holds is
    an older record read again, never the current value.
    """

    scope: str
    kind: str
    key: str
    event_type: str | None
    data: dict[str, Any] | None
    version: int | None = None

    @property
    def identity(self) -> tuple[str, str, str]:
        """What one feed row stands for."""
        return (self.scope, self.kind, self.key)

    def older_than(self, other: FeedChange) -> bool:
        """Whether both carry versions and this one's is lower."""
        if self.version is None or other.version is None:
            return False
        return self.version < other.version


@dataclass(frozen=True)
class SiteStores:
    """A site as the feed knows it: whether it is active and which stores it manages."""

    site_id: UUID
    active: bool
    store_ids: frozenset[UUID]

    def scopes(self) -> list[str]:
        """What the site reads: its own record always; global data and its stores while active."""
        if not self.active:
            return [site_scope(self.site_id)]
        stores = sorted(store_scope(s) for s in self.store_ids)
        return [GLOBAL, site_scope(self.site_id), *stores]

    def gained(self, before: SiteStores | None) -> frozenset[UUID]:
        """Stores whose records the site must now receive although its cursor may be past them."""
        if not self.active:
            return frozenset()
        if before is None or not before.active:
            return self.store_ids
        return self.store_ids - before.store_ids


def latest(changes: list[FeedChange]) -> list[FeedChange]:
    """The last change of each row unless an older version, in order of first appearance (one
    upsert per row)."""
    last: dict[tuple[str, str, str], FeedChange] = {}
    for c in changes:
        kept = last.get(c.identity)
        if kept is None or not c.older_than(kept):
            last[c.identity] = c
    return list(last.values())
