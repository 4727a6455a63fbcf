"""Effective permissions as OpenLMIS computes them: pure rules, no I/O."""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest

from akiba_auth.domain.errors import InvalidAssignment, InvalidRole, InvalidTree
from akiba_auth.domain.model import (
    Assignment,
    Role,
    Scope,
    User,
    check_client_rights,
    check_scope,
    checked_rights,
)
from akiba_auth.domain.permissions import effective_permissions
from akiba_auth.domain.tree import RequisitionGroup, SupervisoryNode, check_parent, tree_of
from akiba_contracts.rights import Right, RightType

EPI, FP = uuid4(), uuid4()
REGION, DISTRICT, OTHER = uuid4(), uuid4(), uuid4()
HF_REGION, HF_DISTRICT, HF_OTHER, HOME, WAREHOUSE = (uuid4() for _ in range(5))


def _tree(extra_groups: tuple[RequisitionGroup, ...] = ()):  # type: ignore[no-untyped-def]
    nodes = [
        SupervisoryNode(REGION, "R", "Region", None, None),
        SupervisoryNode(DISTRICT, "D", "District", None, REGION),
        SupervisoryNode(OTHER, "O", "Other", None, None),
    ]
    groups = [
        RequisitionGroup(uuid4(), "RG-R", "r", REGION, frozenset({HF_REGION}), frozenset({EPI})),
        RequisitionGroup(
            uuid4(), "RG-D", "d", DISTRICT, frozenset({HF_DISTRICT}), frozenset({EPI, FP})
        ),
        RequisitionGroup(uuid4(), "RG-O", "o", OTHER, frozenset({HF_OTHER}), frozenset({EPI})),
        *extra_groups,
    ]
    return tree_of(nodes, groups)


def _user(active: bool = True, home: UUID | None = HOME) -> User:
    return User(uuid4(), "amina", None, active, home)


def _role(kind: RightType, *rights: Right) -> Role:
    return Role(uuid4(), f"role-{uuid4().hex[:6]}", kind, frozenset(rights))


def _assign(role: Role, **scope: UUID) -> Assignment:
    return Assignment(uuid4(), role, Scope(**scope))


APPROVER = _role(RightType.SUPERVISION, Right.REQUISITION_APPROVE)


def test_a_node_assignment_covers_the_facilities_of_the_node_and_its_descendants() -> None:
    p = effective_permissions(_user(), [_assign(APPROVER, program_id=EPI, node_id=REGION)], _tree())
    assert p.permissions == tuple(
        sorted(f"REQUISITION_APPROVE|{f}|{EPI}" for f in (HF_REGION, HF_DISTRICT))
    )


def test_a_node_assignment_covers_only_facilities_supervised_for_its_program() -> None:
    p = effective_permissions(_user(), [_assign(APPROVER, program_id=FP, node_id=REGION)], _tree())
    assert p.permissions == (f"REQUISITION_APPROVE|{HF_DISTRICT}|{FP}",)


def test_a_child_node_assignment_does_not_reach_up_to_its_parent() -> None:
    p = effective_permissions(
        _user(), [_assign(APPROVER, program_id=EPI, node_id=DISTRICT)], _tree()
    )
    assert p.permissions == (f"REQUISITION_APPROVE|{HF_DISTRICT}|{EPI}",)


def test_each_node_assignment_gives_one_approval_scope_at_the_node_itself() -> None:
    p = effective_permissions(_user(), [_assign(APPROVER, program_id=EPI, node_id=REGION)], _tree())
    assert [(s.right, s.node_id, s.program_id) for s in p.node_scopes] == [
        ("REQUISITION_APPROVE", REGION, EPI)
    ]


def test_a_home_facility_assignment_covers_the_home_facility_for_the_program() -> None:
    role = _role(RightType.SUPERVISION, Right.REQUISITION_CREATE, Right.STOCK_ADJUST)
    p = effective_permissions(_user(), [_assign(role, program_id=EPI)], _tree())
    assert p.permissions == (f"REQUISITION_CREATE|{HOME}|{EPI}", f"STOCK_ADJUST|{HOME}|{EPI}")
    assert p.node_scopes == ()


def test_a_home_facility_assignment_without_a_home_facility_gives_nothing() -> None:
    role = _role(RightType.SUPERVISION, Right.REQUISITION_CREATE)
    p = effective_permissions(_user(home=None), [_assign(role, program_id=EPI)], _tree())
    assert p.permissions == ()


def test_a_fulfillment_assignment_is_scoped_to_its_warehouse() -> None:
    role = _role(RightType.ORDER_FULFILLMENT, Right.SHIPMENTS_EDIT, Right.ORDERS_VIEW)
    p = effective_permissions(_user(), [_assign(role, warehouse_id=WAREHOUSE)], _tree())
    assert p.permissions == (f"ORDERS_VIEW|{WAREHOUSE}", f"SHIPMENTS_EDIT|{WAREHOUSE}")


def test_admin_and_reports_rights_are_bare_right_names() -> None:
    admin = _role(RightType.GENERAL_ADMIN, Right.USERS_MANAGE)
    reports = _role(RightType.REPORTS, Right.REPORTS_VIEW)
    p = effective_permissions(_user(), [_assign(admin), _assign(reports)], _tree())
    assert p.permissions == ("REPORTS_VIEW", "USERS_MANAGE")


def test_an_inactive_user_holds_nothing() -> None:
    admin = _role(RightType.GENERAL_ADMIN, Right.USERS_MANAGE)
    p = effective_permissions(
        _user(active=False),
        [_assign(admin), _assign(APPROVER, program_id=EPI, node_id=REGION)],
        _tree(),
    )
    assert (p.active, p.permissions, p.node_scopes) == (False, (), ())


def test_overlapping_assignments_give_each_permission_once_in_sorted_order() -> None:
    a = [
        _assign(APPROVER, program_id=EPI, node_id=REGION),
        _assign(APPROVER, program_id=EPI, node_id=DISTRICT),
    ]
    p = effective_permissions(_user(), a, _tree())
    assert list(p.permissions) == sorted(set(p.permissions)) and len(p.permissions) == 2
    assert effective_permissions(_user(), reversed(a), _tree()).permissions == p.permissions


def test_the_digest_changes_with_the_permissions_and_not_otherwise() -> None:
    user = _user()
    one = effective_permissions(user, [_assign(APPROVER, program_id=EPI, node_id=REGION)], _tree())
    same = effective_permissions(user, [_assign(APPROVER, program_id=EPI, node_id=REGION)], _tree())
    other = effective_permissions(user, [_assign(APPROVER, program_id=FP, node_id=REGION)], _tree())
    assert one.digest() == same.digest() != other.digest()


def test_a_role_refuses_rights_of_another_type() -> None:
    with pytest.raises(InvalidRole, match="ORDERS_VIEW"):
        checked_rights(RightType.SUPERVISION, [Right.STOCK_ADJUST, Right.ORDERS_VIEW])


def test_a_role_takes_rights_of_its_own_type() -> None:
    rights = checked_rights(RightType.GENERAL_ADMIN, [Right.USERS_MANAGE, Right.SITES_MANAGE])
    assert rights == {Right.USERS_MANAGE, Right.SITES_MANAGE}


@pytest.mark.parametrize(
    ("kind", "scope"),
    [
        (RightType.SUPERVISION, Scope()),
        (RightType.SUPERVISION, Scope(program_id=EPI, warehouse_id=WAREHOUSE)),
        (RightType.ORDER_FULFILLMENT, Scope()),
        (RightType.ORDER_FULFILLMENT, Scope(program_id=EPI, warehouse_id=WAREHOUSE)),
        (RightType.GENERAL_ADMIN, Scope(program_id=EPI)),
        (RightType.REPORTS, Scope(warehouse_id=WAREHOUSE)),
    ],
)
def test_an_assignment_scope_that_does_not_fit_the_role_type_is_refused(
    kind: RightType, scope: Scope
) -> None:
    with pytest.raises(InvalidAssignment):
        check_scope(kind, scope)


def test_a_service_client_cannot_hold_scoped_rights() -> None:
    with pytest.raises(InvalidRole):
        check_client_rights([Right.USERS_MANAGE, Right.STOCK_ADJUST])


def test_a_node_cannot_be_moved_under_its_own_descendant() -> None:
    with pytest.raises(InvalidTree):
        check_parent(_tree(), REGION, DISTRICT)


def test_a_node_cannot_name_a_missing_parent() -> None:
    with pytest.raises(InvalidTree):
        check_parent(_tree(), DISTRICT, uuid4())


def test_the_ancestors_of_a_node_are_listed_nearest_first() -> None:
    assert _tree().ancestors(DISTRICT) == [REGION]
