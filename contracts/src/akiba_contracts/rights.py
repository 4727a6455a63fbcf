"""The rights catalogue: every right a role can grant, and the type of role that can hold it."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = ["RIGHT_TYPES", "Right", "RightType", "right_type", "rights_of_type"]


class RightType(StrEnum):
    """The role types; a role holds rights of one type, and the type decides how it is scoped."""

    SUPERVISION = "SUPERVISION"
    ORDER_FULFILLMENT = "ORDER_FULFILLMENT"
    GENERAL_ADMIN = "GENERAL_ADMIN"
    REPORTS = "REPORTS"


class Right(StrEnum):
    """A right, named as in OpenLMIS v3. Receiving stock has no right of its own: STOCK_ADJUST."""

    REQUISITION_CREATE = "REQUISITION_CREATE"
    REQUISITION_AUTHORIZE = "REQUISITION_AUTHORIZE"
    REQUISITION_APPROVE = "REQUISITION_APPROVE"
    REQUISITION_DELETE = "REQUISITION_DELETE"
    REQUISITION_VIEW = "REQUISITION_VIEW"
    STOCK_CARDS_VIEW = "STOCK_CARDS_VIEW"
    STOCK_ADJUST = "STOCK_ADJUST"
    STOCK_INVENTORIES_EDIT = "STOCK_INVENTORIES_EDIT"
    PODS_MANAGE = "PODS_MANAGE"
    PODS_VIEW = "PODS_VIEW"
    IDEAL_STOCK_AMOUNT_VIEW = "IDEAL_STOCK_AMOUNT_VIEW"
    IDEAL_STOCK_AMOUNT_EDIT = "IDEAL_STOCK_AMOUNT_EDIT"
    ORDERS_VIEW = "ORDERS_VIEW"
    ORDERS_EDIT = "ORDERS_EDIT"
    SHIPMENTS_VIEW = "SHIPMENTS_VIEW"
    SHIPMENTS_EDIT = "SHIPMENTS_EDIT"
    FACILITIES_MANAGE = "FACILITIES_MANAGE"
    ORDERABLES_MANAGE = "ORDERABLES_MANAGE"
    PROGRAMS_MANAGE = "PROGRAMS_MANAGE"
    SUPERVISORY_NODES_MANAGE = "SUPERVISORY_NODES_MANAGE"
    REQUISITION_GROUPS_MANAGE = "REQUISITION_GROUPS_MANAGE"
    SUPPLY_LINES_MANAGE = "SUPPLY_LINES_MANAGE"
    USERS_MANAGE = "USERS_MANAGE"
    USER_ROLES_MANAGE = "USER_ROLES_MANAGE"
    STOCK_ADJUSTMENT_REASONS_MANAGE = "STOCK_ADJUSTMENT_REASONS_MANAGE"
    SYSTEM_SETTINGS_MANAGE = "SYSTEM_SETTINGS_MANAGE"
    SITES_MANAGE = "SITES_MANAGE"
    REPORTS_VIEW = "REPORTS_VIEW"


_SUPERVISION = (
    Right.REQUISITION_CREATE,
    Right.REQUISITION_AUTHORIZE,
    Right.REQUISITION_APPROVE,
    Right.REQUISITION_DELETE,
    Right.REQUISITION_VIEW,
    Right.STOCK_CARDS_VIEW,
    Right.STOCK_ADJUST,
    Right.STOCK_INVENTORIES_EDIT,
    Right.PODS_MANAGE,
    Right.PODS_VIEW,
    Right.IDEAL_STOCK_AMOUNT_VIEW,
    Right.IDEAL_STOCK_AMOUNT_EDIT,
)
_FULFILLMENT = (Right.ORDERS_VIEW, Right.ORDERS_EDIT, Right.SHIPMENTS_VIEW, Right.SHIPMENTS_EDIT)
_ADMIN = (
    Right.FACILITIES_MANAGE,
    Right.ORDERABLES_MANAGE,
    Right.PROGRAMS_MANAGE,
    Right.SUPERVISORY_NODES_MANAGE,
    Right.REQUISITION_GROUPS_MANAGE,
    Right.SUPPLY_LINES_MANAGE,
    Right.USERS_MANAGE,
    Right.USER_ROLES_MANAGE,
    Right.STOCK_ADJUSTMENT_REASONS_MANAGE,
    Right.SYSTEM_SETTINGS_MANAGE,
    Right.SITES_MANAGE,
)

RIGHT_TYPES: Mapping[Right, RightType] = MappingProxyType(
    {right: RightType.SUPERVISION for right in _SUPERVISION}
    | {right: RightType.ORDER_FULFILLMENT for right in _FULFILLMENT}
    | {right: RightType.GENERAL_ADMIN for right in _ADMIN}
    | {Right.REPORTS_VIEW: RightType.REPORTS}
)
"""The role type that can hold each right."""


def right_type(right: Right) -> RightType:
    """The role type that can hold this right."""
    return RIGHT_TYPES[right]


def rights_of_type(kind: RightType) -> frozenset[Right]:
    """Every right a role of this type can hold."""
    return frozenset(right for right, of in RIGHT_TYPES.items() if of is kind)
