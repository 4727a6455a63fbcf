"""HTTP request and response models."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_auth.domain.model import Assignment, Role, ServiceClient, Site, User
from akiba_auth.domain.tree import RequisitionGroup, SupervisoryNode
from akiba_contracts.fields import Name, Note, text
from akiba_contracts.rights import Right, RightType

Code = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
EMAIL = r"^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$"
CLIENT_ID = r"^[a-z][a-z0-9-]*$"
# Each right at most once: a longer list is a mistake, not a bigger role.
MAX_RIGHTS = len(Right)


class Request(BaseModel):
    """Requests refuse unknown fields so typos fail loudly."""

    model_config = ConfigDict(extra="forbid")


class CreateUserRequest(Request):
    """A new user; the password is set separately."""

    username: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
    email: str | None = Field(None, max_length=320, pattern=EMAIL)
    home_facility_id: UUID | None = None
    active: bool = True


class UpdateUserRequest(Request):
    """Fields to change; those left out stay as they are."""

    email: str | None = Field(None, max_length=320, pattern=EMAIL)
    home_facility_id: UUID | None = None
    active: bool | None = None


class UserResponse(BaseModel):
    """A user as stored."""

    user_id: UUID
    username: str
    email: str | None
    active: bool
    home_facility_id: UUID | None

    @classmethod
    def of(cls, u: User) -> UserResponse:
        """From the domain."""
        return cls(**u.__dict__)


class SetPasswordRequest(Request):
    """A new password (8 to 256 characters)."""

    password: str = text(256, min_length=8)


class RoleRequest(Request):
    """A new role: every right must belong to its type."""

    name: Name
    type: RightType
    rights: list[Right] = Field(default_factory=list, max_length=MAX_RIGHTS)
    description: Note | None = None


class RoleRightsRequest(Request):
    """The role's complete new set of rights."""

    rights: list[Right] = Field(max_length=MAX_RIGHTS)


class RoleResponse(BaseModel):
    """A role as stored."""

    role_id: UUID
    name: str
    type: RightType
    rights: list[Right]
    description: str | None

    @classmethod
    def of(cls, r: Role) -> RoleResponse:
        """From the domain."""
        return cls(
            role_id=r.role_id,
            name=r.name,
            type=r.right_type,
            rights=sorted(r.rights),
            description=r.description,
        )


class AssignmentRequest(Request):
    """A role in a scope: supervision = program (+ node), fulfillment = warehouse, else none."""

    role_id: UUID
    program_id: UUID | None = None
    supervisory_node_id: UUID | None = None
    warehouse_id: UUID | None = None


class AssignmentResponse(BaseModel):
    """A role assignment."""

    assignment_id: UUID
    role_id: UUID
    role_name: str
    type: RightType
    program_id: UUID | None
    supervisory_node_id: UUID | None
    warehouse_id: UUID | None

    @classmethod
    def of(cls, a: Assignment) -> AssignmentResponse:
        """From the domain."""
        return cls(
            assignment_id=a.assignment_id,
            role_id=a.role.role_id,
            role_name=a.role.name,
            type=a.role.right_type,
            program_id=a.scope.program_id,
            supervisory_node_id=a.scope.node_id,
            warehouse_id=a.scope.warehouse_id,
        )


class NodeRequest(Request):
    """A supervisory node, at the top or under a parent."""

    code: str = Code
    name: Name
    facility_id: UUID | None = None
    parent_id: UUID | None = None


class UpdateNodeRequest(Request):
    """Fields to change; those left out stay as they are."""

    name: Name | None = None
    facility_id: UUID | None = None
    parent_id: UUID | None = None


class NodeResponse(BaseModel):
    """A supervisory node."""

    node_id: UUID
    code: str
    name: str
    facility_id: UUID | None
    parent_id: UUID | None

    @classmethod
    def of(cls, n: SupervisoryNode) -> NodeResponse:
        """From the domain."""
        return cls(**n.__dict__)


class GroupRequest(Request):
    """A requisition group: the facilities a node supervises for the programs."""

    code: str = Code
    name: Name
    supervisory_node_id: UUID
    member_facility_ids: list[UUID] = Field(default_factory=list, max_length=10_000)
    program_ids: list[UUID] = Field(default_factory=list, max_length=1_000)


class IdsRequest(Request):
    """A complete new list of ids."""

    ids: list[UUID] = Field(max_length=10_000)


class GroupResponse(BaseModel):
    """A requisition group."""

    group_id: UUID
    code: str
    name: str
    supervisory_node_id: UUID
    member_facility_ids: list[UUID]
    program_ids: list[UUID]

    @classmethod
    def of(cls, g: RequisitionGroup) -> GroupResponse:
        """From the domain."""
        return cls(
            group_id=g.group_id,
            code=g.code,
            name=g.name,
            supervisory_node_id=g.node_id,
            member_facility_ids=sorted(g.facility_ids),
            program_ids=sorted(g.program_ids),
        )


class SiteRequest(Request):
    """A new site and the stores it will manage."""

    name: Name
    store_ids: list[UUID] = Field(default_factory=list, max_length=1_000)


class SiteResponse(BaseModel):
    """A site; `secret` only in the answer that created it."""

    site_id: UUID
    name: str
    active: bool
    store_ids: list[UUID]
    version: int = Field(description="Grows with every change of any site's record.")
    secret: str | None = None

    @classmethod
    def of(cls, s: Site, secret: str | None = None) -> SiteResponse:
        """From the domain."""
        return cls(
            site_id=s.site_id,
            name=s.name,
            active=s.active,
            store_ids=list(s.store_ids),
            version=s.version,
            secret=secret,
        )


class HandOverRequest(Request):
    """Where a store goes: a site, or null for central (its own users write it over HTTP)."""

    to_site_id: UUID | None


class HandOverResponse(BaseModel):
    """Who wrote the store before and who writes it now (null: central)."""

    store_id: UUID
    from_site_id: UUID | None
    to_site_id: UUID | None
    version: int


class ClientRequest(Request):
    """A new service client with global (administration or reports) rights."""

    client_id: str = Field(min_length=3, max_length=64, pattern=CLIENT_ID)
    name: Name
    rights: list[Right] = Field(default_factory=list, max_length=MAX_RIGHTS)


class ClientResponse(BaseModel):
    """A service client; `secret` only in the answer that created it."""

    client_id: str
    name: str
    active: bool
    rights: list[Right]
    secret: str | None = None

    @classmethod
    def of(cls, c: ServiceClient, secret: str | None = None) -> ClientResponse:
        """From the domain."""
        return cls(
            client_id=c.client_id,
            name=c.name,
            active=c.active,
            rights=sorted(c.rights),
            secret=secret,
        )


class SecretRotation(Request):
    """How long the secret being replaced keeps working (0: at once, for a leaked secret)."""

    keep_previous_hours: int = Field(
        168,
        ge=0,
        le=24 * 90,
        description="Hours the old secret is still accepted, so an offline site can sync "
        "until its new secret is installed.",
    )


class RotatedSecretResponse(BaseModel):
    """The new secret, shown this once, and until when the old one is accepted."""

    client_id: str = Field(description="The site's id or the service client's id.")
    secret: str
    previous_valid_until: datetime | None = Field(
        description="Null: the old secret was refused from the rotation on."
    )


class KeyResponse(BaseModel):
    """The key that signs from now on."""

    kid: str
    alg: str
    created_at: str
