"""Payloads published by the auth service: permissions, signing keys, sites, supervision tree."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.fields import Code, Name
from akiba_contracts.payloads.base import Payload

__all__ = [
    "MAX_GROUP_IDS",
    "ApprovalScope",
    "RequisitionGroupChanged",
    "SigningKeyPublished",
    "SiteChanged",
    "SupervisoryNodeChanged",
    "UserPermissionsChanged",
]

MAX_GROUP_IDS = 10_000
"""The most facilities (or programs) one requisition group lists, as auth's API accepts."""
_ACTIVE = (
    "False once auth withdraws the record (its consumers drop it). Auth cannot delete or"
    " deactivate one yet, so every record it writes today is active."
)


class ApprovalScope(BaseModel):
    """A supervision right held at one supervisory node for one program."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    right: str = Field(description="A SUPERVISION right, e.g. REQUISITION_APPROVE.")
    node_id: UUID
    program_id: UUID


class UserPermissionsChanged(Payload):
    """A user's effective permissions; the latest record per user is the truth."""

    event_type: ClassVar[str] = "org.akiba.auth.user-permissions.changed.v1"

    user_id: UUID
    username: str
    active: bool = Field(description="An inactive user is refused everything.")
    home_facility_id: UUID | None
    version: int = Field(ge=1, description="Grows with every change; older records are ignored.")
    permissions: list[str] = Field(
        description=(
            "Permission strings: `RIGHT|facility_id|program_id` (supervision), "
            "`RIGHT|warehouse_id` (fulfillment), `RIGHT` (administration and reports)."
        )
    )
    node_scopes: list[ApprovalScope] = Field(
        default_factory=list,
        description="Supervision rights held at a node (approval is checked at the node itself).",
    )
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by user so compaction keeps each user's latest permissions."""
        return str(self.user_id)


class SigningKeyPublished(Payload):
    """A public key that verifies access tokens; services keep every key not yet retired."""

    event_type: ClassVar[str] = "org.akiba.auth.signing-key.published.v1"

    kid: str
    alg: str = Field(description="JWS algorithm, e.g. EdDSA.")
    public_jwk: dict[str, Any] = Field(description="The public key as a JWK (RFC 7517).")
    created_at: AwareDatetime
    retired_at: AwareDatetime | None = Field(
        None, description="After this instant no token signed with the key is accepted."
    )

    def partition_key(self) -> str:
        """Keyed by key id."""
        return self.kid


class SiteChanged(Payload):
    """A site (one sync-gateway installation) and the stores it manages."""

    event_type: ClassVar[str] = "org.akiba.auth.site.changed.v1"

    site_id: UUID
    name: str
    active: bool
    store_ids: list[UUID] = Field(description="Stores written only at this site.")
    changed_at: AwareDatetime
    version: int | None = Field(
        None,
        ge=1,
        description="Grows with every change to any site (one value per change, shared by the"
        " records it rewrites, e.g. both sites of a hand-over); a reader that holds a lower"
        " version of this site is behind. Absent from records written before it existed.",
    )

    def partition_key(self) -> str:
        """Keyed by site."""
        return str(self.site_id)


class SupervisoryNodeChanged(Payload):
    """A supervisory node of the approval tree, full state; the latest record per node counts."""

    event_type: ClassVar[str] = "org.akiba.auth.supervisory-node.changed.v1"

    node_id: UUID
    code: Code
    name: Name
    facility_id: UUID | None = Field(description="The facility the node sits at, if any.")
    parent_id: UUID | None = Field(
        description="The node above, where approval goes next; none at the top of the tree."
    )
    active: bool = Field(description=_ACTIVE)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by node so compaction keeps each node's latest record."""
        return str(self.node_id)


class RequisitionGroupChanged(Payload):
    """A requisition group, full state: the facilities a node supervises for the programs."""

    event_type: ClassVar[str] = "org.akiba.auth.requisition-group.changed.v1"

    group_id: UUID
    code: Code
    name: Name
    node_id: UUID = Field(description="The supervisory node that supervises the facilities.")
    facility_ids: list[UUID] = Field(
        max_length=MAX_GROUP_IDS, description="The member facilities (the whole list, sorted)."
    )
    program_ids: list[UUID] = Field(
        max_length=MAX_GROUP_IDS,
        description="The programs the node supervises them for (the whole list, sorted).",
    )
    active: bool = Field(description=_ACTIVE)
    changed_at: AwareDatetime

    def partition_key(self) -> str:
        """Keyed by group so compaction keeps each group's latest record."""
        return str(self.group_id)
