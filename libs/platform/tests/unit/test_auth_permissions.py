"""Rights checks against the permission read model: scope, activity, versions, clients."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from akiba_contracts.payloads import UserPermissionsChanged
from akiba_contracts.rights import Right
from akiba_platform.testing.tokens import TestIssuer

F1, F2 = str(uuid.uuid4()), str(uuid.uuid4())
P1, P2 = str(uuid.uuid4()), str(uuid.uuid4())


def _who(issuer: TestIssuer, *perms: str) -> object:
    _, token = issuer.user(*perms)
    return issuer.authorizer.authenticate(token)


def test_a_supervision_right_holds_only_at_its_facility_and_program() -> None:
    issuer = TestIssuer()
    who = _who(issuer, f"STOCK_ADJUST|{F1}|{P1}")
    allows = issuer.authorizer.allows
    assert allows(who, Right.STOCK_ADJUST, F1, P1)  # type: ignore[arg-type]
    assert allows(who, Right.STOCK_ADJUST, F1)  # type: ignore[arg-type]
    assert not allows(who, Right.STOCK_ADJUST, F2)  # type: ignore[arg-type]
    assert not allows(who, Right.STOCK_ADJUST, F1, P2)  # type: ignore[arg-type]
    assert not allows(who, Right.STOCK_CARDS_VIEW, F1)  # type: ignore[arg-type]


def test_a_fulfillment_right_holds_at_its_warehouse() -> None:
    issuer = TestIssuer()
    who = _who(issuer, f"SHIPMENTS_EDIT|{F1}")
    assert issuer.authorizer.allows(who, Right.SHIPMENTS_EDIT, F1)  # type: ignore[arg-type]
    assert not issuer.authorizer.allows(who, Right.SHIPMENTS_EDIT, F2)  # type: ignore[arg-type]


def test_an_admin_right_is_global_whatever_facility_the_route_names() -> None:
    issuer = TestIssuer()
    who = _who(issuer, "FACILITIES_MANAGE")
    assert issuer.authorizer.allows(who, Right.FACILITIES_MANAGE, F1)  # type: ignore[arg-type]
    assert not issuer.authorizer.allows(who, Right.USERS_MANAGE)  # type: ignore[arg-type]


def test_a_deactivated_user_is_refused_everything() -> None:
    issuer = TestIssuer()
    user_id, token = issuer.user(f"STOCK_ADJUST|{F1}|{P1}")
    who = issuer.authorizer.authenticate(token)
    issuer.grant(user_id, f"STOCK_ADJUST|{F1}|{P1}", active=False)
    assert not issuer.authorizer.allows(who, Right.STOCK_ADJUST, F1)


def test_an_older_permissions_record_never_overwrites_a_newer_one() -> None:
    issuer = TestIssuer()
    user_id, token = issuer.user("USERS_MANAGE")
    issuer.grant(user_id, "USERS_MANAGE", "REPORTS_VIEW")  # version 2
    current = issuer.permissions.get(user_id)
    assert current is not None and current.version == 2
    stale = UserPermissionsChanged(
        user_id=user_id,
        username="x",
        active=False,
        home_facility_id=None,
        version=1,
        permissions=[],
        changed_at=datetime.now(UTC),
    )
    assert issuer.permissions.apply(stale) is False
    who = issuer.authorizer.authenticate(token)
    assert issuer.authorizer.allows(who, Right.REPORTS_VIEW)


def test_a_user_auth_never_published_has_no_rights() -> None:
    issuer = TestIssuer()
    who = issuer.authorizer.authenticate(issuer.token(str(uuid.uuid4())))
    assert not issuer.authorizer.allows(who, Right.STOCK_CARDS_VIEW, F1)


def test_a_service_client_holds_exactly_the_rights_in_its_token() -> None:
    issuer = TestIssuer()
    token = issuer.token("reporting-bot", kind="client", rights=["REPORTS_VIEW"])
    who = issuer.authorizer.authenticate(token)
    assert issuer.authorizer.allows(who, Right.REPORTS_VIEW)
    assert not issuer.authorizer.allows(who, Right.USERS_MANAGE)


def test_a_site_token_opens_no_user_route() -> None:
    issuer = TestIssuer()
    who = issuer.authorizer.authenticate(issuer.token(str(uuid.uuid4()), kind="site"))
    assert not issuer.authorizer.allows(who, Right.STOCK_ADJUST, F1)


def test_the_facilities_of_a_right_are_where_a_user_holds_it_and_everywhere_for_a_client() -> None:
    issuer = TestIssuer()
    user = _who(
        issuer,
        f"STOCK_CARDS_VIEW|{F1}|{P1}",
        f"STOCK_CARDS_VIEW|{F2}|{P2}",
        f"STOCK_ADJUST|{F2}|{P1}",
    )
    client = issuer.authorizer.authenticate(
        issuer.token("ops", kind="client", rights=["STOCK_CARDS_VIEW"])
    )
    facilities = issuer.authorizer.facilities_of
    assert facilities(user, Right.STOCK_CARDS_VIEW) == {uuid.UUID(F1), uuid.UUID(F2)}  # type: ignore[arg-type]
    assert facilities(user, Right.SITES_MANAGE) == frozenset()  # type: ignore[arg-type]
    assert facilities(client, Right.STOCK_CARDS_VIEW) is None  # type: ignore[arg-type]
    assert facilities(client, Right.STOCK_ADJUST) == frozenset()  # type: ignore[arg-type]


def test_a_global_right_held_is_held_at_every_facility() -> None:
    issuer = TestIssuer()
    who = _who(issuer, "SITES_MANAGE")
    assert issuer.authorizer.facilities_of(who, Right.SITES_MANAGE) is None  # type: ignore[arg-type]
