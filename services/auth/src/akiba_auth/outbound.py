"""Domain facts → contract events, topics and keys."""

from __future__ import annotations

from datetime import datetime

from akiba_auth.domain.model import Site
from akiba_auth.domain.permissions import EffectivePermissions
from akiba_auth.domain.tree import RequisitionGroup, SupervisoryNode
from akiba_auth.keys import SigningKey
from akiba_contracts.payloads import (
    ApprovalScope,
    RequisitionGroupChanged,
    SigningKeyPublished,
    SiteChanged,
    SupervisoryNodeChanged,
    UserPermissionsChanged,
)
from akiba_contracts.payloads.base import Payload
from akiba_platform import OutboxMessage, message_of

SOURCE = "/akiba/auth"
PERMISSIONS = "auth.permissions"
SIGNING_KEYS = "auth.signing-keys"
SITES = "auth.sites"
SUPERVISION = "auth.supervision"


def _message(topic: str, subject: str, payload: Payload) -> OutboxMessage:
    return message_of(topic, SOURCE, subject, payload)


def permissions_changed(p: EffectivePermissions, version: int, at: datetime) -> OutboxMessage:
    """A user's effective permissions, keyed by user for compaction."""
    payload = UserPermissionsChanged(
        user_id=p.user_id,
        username=p.username,
        active=p.active,
        home_facility_id=p.home_facility_id,
        version=version,
        permissions=list(p.permissions),
        node_scopes=[
            ApprovalScope(right=s.right, node_id=s.node_id, program_id=s.program_id)
            for s in p.node_scopes
        ],
        changed_at=at,
    )
    return _message(PERMISSIONS, f"users/{p.user_id}", payload)


def site_changed(site: Site, at: datetime) -> OutboxMessage:
    """A site and the stores it manages."""
    payload = SiteChanged(
        site_id=site.site_id,
        name=site.name,
        active=site.active,
        store_ids=list(site.store_ids),
        changed_at=at,
        version=site.version or None,
    )
    return _message(SITES, f"sites/{site.site_id}", payload)


def key_published(key: SigningKey) -> OutboxMessage:
    """A public key, with its retirement time once rotated out."""
    payload = SigningKeyPublished(
        kid=key.kid,
        alg=key.public_jwk["alg"],
        public_jwk=key.public_jwk,
        created_at=key.created_at,
        retired_at=key.retired_at,
    )
    return _message(SIGNING_KEYS, f"signing-keys/{key.kid}", payload)


def node_changed(node: SupervisoryNode, at: datetime) -> OutboxMessage:
    """A supervisory node's full state, keyed by node for compaction."""
    payload = SupervisoryNodeChanged(
        node_id=node.node_id,
        code=node.code,
        name=node.name,
        facility_id=node.facility_id,
        parent_id=node.parent_id,
        active=True,  # auth cannot delete or deactivate a node
        changed_at=at,
    )
    return _message(SUPERVISION, f"supervisory-nodes/{node.node_id}", payload)


def group_changed(group: RequisitionGroup, at: datetime) -> OutboxMessage:
    """A requisition group's full state (facilities and programs sorted), keyed by group."""
    payload = RequisitionGroupChanged(
        group_id=group.group_id,
        code=group.code,
        name=group.name,
        node_id=group.node_id,
        facility_ids=sorted(group.facility_ids),
        program_ids=sorted(group.program_ids),
        active=True,  # auth cannot delete or deactivate a group
        changed_at=at,
    )
    return _message(SUPERVISION, f"requisition-groups/{group.group_id}", payload)
