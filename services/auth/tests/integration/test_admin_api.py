"""The admin API: each change that alters permissions writes a newer UserPermissionsChanged."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

if TYPE_CHECKING:  # conftest modules are not importable; the fixture brings the class
    from integration.conftest import AuthApi

EPI, FP = uuid4(), uuid4()


async def _role(api: AuthApi, kind: str, *rights: str) -> str:
    r = await api.post(
        "/roles", {"name": f"role {uuid4().hex[:8]}", "type": kind, "rights": rights}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["role_id"])


async def _node(api: AuthApi, parent: str | None = None) -> str:
    r = await api.post(
        "/supervisory-nodes",
        {
            "code": f"SN-{uuid4().hex[:6]}",
            "name": "node",
            "parent_id": parent,
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["node_id"])


async def _group(api: AuthApi, node: str, facilities: list[UUID], programs: list[UUID]) -> str:
    r = await api.post(
        "/requisition-groups",
        {
            "code": f"RG-{uuid4().hex[:6]}",
            "name": "group",
            "supervisory_node_id": node,
            "member_facility_ids": [str(f) for f in facilities],
            "program_ids": [str(p) for p in programs],
        },
    )
    assert r.status_code == 201, r.text
    return str(r.json()["group_id"])


async def _supervising(api: AuthApi, facilities: list[UUID], program: UUID) -> str:
    """A node supervising these facilities for the program."""
    node = await _node(api)
    await _group(api, node, facilities, [program])
    return node


async def _latest(api: AuthApi, user_id: UUID) -> dict[str, Any]:
    return (await api.permissions(user_id))[-1]


async def test_a_new_user_gets_a_first_permissions_record(api: AuthApi) -> None:
    user_id = await api.user("amina", home_facility_id=str(uuid4()))
    [event] = await api.permissions(user_id)
    assert (event["username"], event["active"], event["permissions"]) == ("amina", True, [])
    assert event["version"] >= 1


async def test_usernames_are_unique_whatever_their_case(api: AuthApi) -> None:
    await api.user("Amina")
    r = await api.post("/users", {"username": "aMINA"})
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"


async def test_unknown_ids_are_404(api: AuthApi) -> None:
    assert (await api.get(f"/users/{uuid4()}")).status_code == 404
    assert (await api.put(f"/roles/{uuid4()}/rights", {"rights": []})).status_code == 404
    assert (await api.post(f"/sites/{uuid4()}/deactivate")).status_code == 404


async def test_a_role_mixing_right_types_is_a_422(api: AuthApi) -> None:
    r = await api.post(
        "/roles",
        {
            "name": "Mixed",
            "type": "SUPERVISION",
            "rights": ["STOCK_ADJUST", "ORDERS_VIEW"],
        },
    )
    assert r.status_code == 422 and "ORDERS_VIEW" in r.json()["detail"]


async def test_an_assignment_scope_not_fitting_the_role_is_a_422(api: AuthApi) -> None:
    user_id = await api.user("amina")
    role = await _role(api, "ORDER_FULFILLMENT", "SHIPMENTS_EDIT")
    r = await api.post(
        f"/users/{user_id}/role-assignments", {"role_id": role, "program_id": str(EPI)}
    )
    assert r.status_code == 422


async def test_a_home_facility_assignment_publishes_a_newer_version(api: AuthApi) -> None:
    home = uuid4()
    user_id = await api.user("amina", home_facility_id=str(home))
    before = await _latest(api, user_id)
    role = await _role(api, "SUPERVISION", "STOCK_ADJUST")
    await api.hold(role, EPI, await _supervising(api, [home], EPI))
    r = await api.post(
        f"/users/{user_id}/role-assignments", {"role_id": role, "program_id": str(EPI)}
    )
    assert r.status_code == 201
    after = await _latest(api, user_id)
    assert after["version"] > before["version"]
    assert after["permissions"] == [f"STOCK_ADJUST|{home}|{EPI}"]


async def test_a_fulfillment_and_an_admin_assignment_give_their_strings(api: AuthApi) -> None:
    user_id, warehouse = await api.user("clerk"), uuid4()
    ful = await _role(api, "ORDER_FULFILLMENT", "SHIPMENTS_EDIT")
    adm = await _role(api, "GENERAL_ADMIN", "FACILITIES_MANAGE")
    await api.hold(ful, warehouse=warehouse)
    await api.post(
        f"/users/{user_id}/role-assignments", {"role_id": ful, "warehouse_id": str(warehouse)}
    )
    await api.post(f"/users/{user_id}/role-assignments", {"role_id": adm})
    assert (await _latest(api, user_id))["permissions"] == [
        "FACILITIES_MANAGE",
        f"SHIPMENTS_EDIT|{warehouse}",
    ]


async def test_a_group_added_under_a_child_node_reaches_the_supervisor_of_the_parent(
    api: AuthApi,
) -> None:
    region = await _node(api)
    district = await _node(api, region)
    user_id = await api.user("supervisor")
    role = await _role(api, "SUPERVISION", "REQUISITION_APPROVE")
    await api.hold(role, EPI, region)
    await api.post(
        f"/users/{user_id}/role-assignments",
        {
            "role_id": role,
            "program_id": str(EPI),
            "supervisory_node_id": region,
        },
    )
    before = await _latest(api, user_id)
    assert before["permissions"] == []
    assert before["node_scopes"] == [
        {"right": "REQUISITION_APPROVE", "node_id": region, "program_id": str(EPI)}
    ]
    facility = uuid4()
    group = await _group(api, district, [facility], [EPI])
    after = await _latest(api, user_id)
    assert after["version"] > before["version"]
    assert after["permissions"] == [f"REQUISITION_APPROVE|{facility}|{EPI}"]
    other = uuid4()
    await api.put(f"/requisition-groups/{group}/members", {"ids": [str(other)]})
    assert (await _latest(api, user_id))["permissions"] == [f"REQUISITION_APPROVE|{other}|{EPI}"]
    await api.put(f"/requisition-groups/{group}/programs", {"ids": [str(FP)]})
    assert (await _latest(api, user_id))["permissions"] == []


async def test_moving_a_node_changes_who_supervises_its_facilities(api: AuthApi) -> None:
    region, loose = await _node(api), await _node(api)
    facility = uuid4()
    await _group(api, loose, [facility], [EPI])
    user_id = await api.user("supervisor")
    role = await _role(api, "SUPERVISION", "REQUISITION_VIEW")
    await api.hold(role, EPI, region)
    await api.post(
        f"/users/{user_id}/role-assignments",
        {
            "role_id": role,
            "program_id": str(EPI),
            "supervisory_node_id": region,
        },
    )
    assert (await _latest(api, user_id))["permissions"] == []
    r = await api.patch(f"/supervisory-nodes/{loose}", {"parent_id": region})
    assert r.status_code == 200
    assert (await _latest(api, user_id))["permissions"] == [f"REQUISITION_VIEW|{facility}|{EPI}"]
    r = await api.patch(f"/supervisory-nodes/{region}", {"parent_id": loose})
    assert r.status_code == 422


async def test_changing_a_roles_rights_republishes_its_holders(api: AuthApi) -> None:
    user_id = await api.user("amina")
    role = await _role(api, "GENERAL_ADMIN", "FACILITIES_MANAGE")
    await api.post(f"/users/{user_id}/role-assignments", {"role_id": role})
    before = await _latest(api, user_id)
    r = await api.put(f"/roles/{role}/rights", {"rights": ["PROGRAMS_MANAGE"]})
    assert r.status_code == 200
    after = await _latest(api, user_id)
    assert after["version"] > before["version"] and after["permissions"] == ["PROGRAMS_MANAGE"]


async def test_removing_an_assignment_takes_its_permissions_away(api: AuthApi) -> None:
    user_id = await api.user("amina")
    role = await _role(api, "GENERAL_ADMIN", "FACILITIES_MANAGE")
    r = await api.post(f"/users/{user_id}/role-assignments", {"role_id": role})
    assignment = r.json()["assignment_id"]
    assert (await api.delete(f"/users/{user_id}/role-assignments/{assignment}")).status_code == 204
    assert (await _latest(api, user_id))["permissions"] == []
    assert (await api.delete(f"/users/{user_id}/role-assignments/{assignment}")).status_code == 404


async def test_deactivating_a_user_publishes_inactive_with_no_permissions(api: AuthApi) -> None:
    user_id = await api.user("amina")
    role = await _role(api, "GENERAL_ADMIN", "FACILITIES_MANAGE")
    await api.post(f"/users/{user_id}/role-assignments", {"role_id": role})
    before = await _latest(api, user_id)
    r = await api.post(f"/users/{user_id}/deactivate")
    assert r.status_code == 200 and r.json()["active"] is False
    after = await _latest(api, user_id)
    assert (after["active"], after["permissions"]) == (False, [])
    assert after["version"] > before["version"]


async def test_a_change_that_alters_no_permission_publishes_nothing(api: AuthApi) -> None:
    user_id = await api.user("amina")
    before = await api.permissions(user_id)
    r = await api.patch(f"/users/{user_id}", {"email": "amina@example.org"})
    assert r.status_code == 200 and r.json()["email"] == "amina@example.org"
    assert await api.permissions(user_id) == before


async def test_a_user_without_the_right_is_refused_by_the_admin_api(api: AuthApi) -> None:
    await api.user("amina")
    headers = await api.bearer("amina", "pa55word-long")
    r = await api.client.get("/users", headers=headers)
    assert r.status_code == 403
    assert (await api.client.get("/users")).status_code == 401


async def test_a_new_password_works_and_ends_existing_sessions(api: AuthApi) -> None:
    user_id = await api.user("amina")
    tokens = await api.login("amina", "pa55word-long")
    assert (
        await api.put(f"/users/{user_id}/password", {"password": "n3w-passw0rd"})
    ).status_code == 204
    await api.login("amina", "n3w-passw0rd")
    r = await api.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 400


async def test_a_site_shows_its_secret_once_and_publishes_its_stores(api: AuthApi) -> None:
    store = uuid4()
    r = await api.post("/sites", {"name": "Gateway", "store_ids": [str(store)]})
    assert r.status_code == 201 and r.json()["secret"]
    site_id = r.json()["site_id"]
    listed = (await api.get("/sites")).json()
    assert [s["secret"] for s in listed] == [None]
    other = uuid4()
    await api.put(f"/sites/{site_id}/stores", {"ids": [str(other)]})
    events = await api.events("auth.sites", site_id)
    assert [e["store_ids"] for e in events] == [[str(store)], [str(other)]]


async def test_a_service_client_cannot_be_given_scoped_rights(api: AuthApi) -> None:
    r = await api.post(
        "/service-clients",
        {
            "client_id": "etl",
            "name": "ETL",
            "rights": ["STOCK_ADJUST"],
        },
    )
    assert r.status_code == 422


async def test_approval_is_allowed_at_the_node_where_a_requisition_waits_not_below_it(
    api: AuthApi,
) -> None:
    from akiba_contracts.rights import Right

    region = await _node(api)
    district = await _node(api, region)
    facility, elsewhere = uuid4(), uuid4()
    await _group(api, district, [facility], [EPI])
    role = await _role(api, "SUPERVISION", "REQUISITION_APPROVE", "REQUISITION_VIEW")
    district_head = await api.user("district-head", password="pa55word-long")
    await api.hold(role, EPI, region)
    await api.post(
        f"/users/{district_head}/role-assignments",
        {"role_id": role, "program_id": str(EPI), "supervisory_node_id": district},
    )
    await api.sync()
    who = api.authorizer.authenticate(
        (await api.login("district-head", "pa55word-long"))["access_token"]
    )
    az = api.authorizer
    assert az.allows(who, Right.REQUISITION_VIEW, str(facility), str(EPI))
    assert not az.allows(who, Right.REQUISITION_VIEW, str(elsewhere), str(EPI))
    assert az.allows_at_node(who, Right.REQUISITION_APPROVE, UUID(district), EPI)
    assert not az.allows_at_node(who, Right.REQUISITION_APPROVE, UUID(region), EPI)
    assert not az.allows_at_node(who, Right.REQUISITION_APPROVE, UUID(district), FP)
