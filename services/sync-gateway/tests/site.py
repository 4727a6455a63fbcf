"""A seeded site for tests: reference data arrives through the real feed path."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import httpx
from argon2 import PasswordHasher

from akiba_contracts.payloads.auth import SiteChanged
from akiba_contracts.payloads.edge import EdgeDocumentsApplied
from akiba_contracts.payloads.reference import (
    AdjustmentReasonChanged,
    FacilityChanged,
    LocationChanged,
    OrderableChanged,
)
from akiba_contracts.sync import FeedEntry, FeedKind, FeedPage, SiteCredentials, SiteUser
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.sync import feed

NOW = datetime.now(UTC)
PASSWORD = "correct horse battery staple"
# Cheap enough for tests; verification reads the cost from the hash itself.
HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Site:
    """Ids of one test site: a managed store, an unmanaged one, an item, locations, reasons."""

    site_id: UUID = field(default_factory=uuid.uuid4)
    store_id: UUID = field(default_factory=uuid.uuid4)
    other_store: UUID = field(default_factory=uuid.uuid4)
    item_id: UUID = field(default_factory=uuid.uuid4)
    shelf_a: UUID = field(default_factory=uuid.uuid4)
    shelf_b: UUID = field(default_factory=uuid.uuid4)
    found: UUID = field(default_factory=uuid.uuid4)
    damaged: UUID = field(default_factory=uuid.uuid4)
    # A debit reason for another program only (what it may not explain is the point).
    elsewhere: UUID = field(default_factory=uuid.uuid4)
    program_id: UUID = field(default_factory=uuid.uuid4)

    def entries(self) -> list[FeedEntry]:
        """The feed a new site pulls first."""
        payloads: list[tuple[FeedKind, str, Any]] = [
            (FeedKind.FACILITY, str(self.store_id), _facility(self.store_id, "S1")),
            (FeedKind.FACILITY, str(self.other_store), _facility(self.other_store, "S2")),
            (FeedKind.ORDERABLE, str(self.item_id), _item(self.item_id)),
            (FeedKind.LOCATION, str(self.shelf_a), _location(self.shelf_a, self.store_id, "A")),
            (FeedKind.LOCATION, str(self.shelf_b), _location(self.shelf_b, self.store_id, "B")),
            (FeedKind.ADJUSTMENT_REASON, str(self.found), _reason(self.found, "credit")),
            (FeedKind.ADJUSTMENT_REASON, str(self.damaged), _reason(self.damaged, "debit")),
            (
                FeedKind.ADJUSTMENT_REASON,
                str(self.elsewhere),
                _reason(self.elsewhere, "debit", [uuid.uuid4()]),
            ),
            (FeedKind.SITE, str(self.site_id), self.site_changed()),
            (FeedKind.ACK, str(self.store_id), self.handed_over()),
        ]
        return [
            FeedEntry(
                seq=i, kind=k, key=key, event_type=p.event_type, data=p.model_dump(mode="json")
            )
            for i, (k, key, p) in enumerate(payloads, start=1)
        ]

    def site_changed(self) -> SiteChanged:
        """The site manages one store only."""
        return SiteChanged(
            site_id=self.site_id,
            name="site",
            active=True,
            store_ids=[self.store_id],
            changed_at=NOW,
        )

    def handed_over(self, next_sequence: int = 1) -> EdgeDocumentsApplied:
        """Central's word that the store is this site's from `next_sequence` on."""
        return EdgeDocumentsApplied(
            store_id=self.store_id, site_id=self.site_id, next_sequence=next_sequence,
            applied_at=NOW,
        )  # fmt: skip

    def grant(self, *rights: str) -> list[str]:
        """Permission strings for rights at the managed store."""
        return [f"{r}|{self.store_id}|{self.program_id}" for r in rights]

    def credentials(self, users: dict[str, list[str]], active: bool = True) -> SiteCredentials:
        """Cached credentials: each username with the password PASSWORD and these permissions."""
        password_hash = HASHER.hash(PASSWORD)
        return SiteCredentials(
            site_id=self.site_id,
            store_ids=[self.store_id],
            users=[
                SiteUser(
                    user_id=uuid.uuid4(),
                    username=name,
                    active=active,
                    password_hash=password_hash,
                    home_facility_id=self.store_id,
                    version=1,
                    permissions=perms,
                )
                for name, perms in users.items()
            ],
            issued_at=NOW,
        )


async def seed(db: Database, site: Site, creds: SiteCredentials | None = None) -> None:
    """Apply the site's first feed page and cache its credentials."""
    page = FeedPage(entries=site.entries(), cursor=len(site.entries()), more=False)
    site_id = str(site.site_id)
    await db.write(lambda c: feed.apply_page(c, after=0, page=page, now=NOW, site_id=site_id))
    if creds is not None:
        await db.write(lambda c: credentials.cache_credentials(c, creds))


def _facility(store_id: UUID, code: str) -> FacilityChanged:
    return FacilityChanged(
        store_id=store_id, code=code, name=f"Store {code}", managed_by="site", active=True,
        version=1, changed_at=NOW,
    )  # fmt: skip


def _item(item_id: UUID) -> OrderableChanged:
    return OrderableChanged(
        item_id=item_id, code=f"I-{item_id.hex[:6]}", name="Amoxicillin 250mg",
        dispensing_unit="tablet", net_content=100, pack_rounding_threshold=0, round_to_zero=False,
        vvm=False, cold_chain=False, active=True, version=1, changed_at=NOW,
    )  # fmt: skip


def _location(location_id: UUID, store_id: UUID, code: str) -> LocationChanged:
    return LocationChanged(
        location_id=location_id, store_id=store_id, code=code, name=f"Shelf {code}",
        cold_chain=False, active=True, version=1, changed_at=NOW,
    )  # fmt: skip


def _reason(
    reason_id: UUID, direction: str, program_ids: list[UUID] | None = None
) -> AdjustmentReasonChanged:
    return AdjustmentReasonChanged(
        reason_id=reason_id, name=f"reason {direction}", direction=direction,
        category="adjustment", free_text_allowed=False, program_ids=program_ids or [],
        facility_type_ids=[],
        active=True, version=1, changed_at=NOW,
    )  # fmt: skip


def receipt(site: Site, quantity: int, lot: str = "LOT-1", **extra: Any) -> dict[str, Any]:
    """A receipt request body."""
    expiry = (date.today() + timedelta(days=400)).isoformat()
    return {"item_id": str(site.item_id), "lot_code": lot, "expiry_date": expiry,
            "quantity": quantity, **extra}  # fmt: skip


async def sign_in(client: httpx.AsyncClient, username: str, password: str = PASSWORD) -> str:
    """A local token for a cached user."""
    r = await client.post(
        "/oauth/token", data={"grant_type": "password", "username": username, "password": password}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])
