"""No self-escalation: nobody grants, takes away or edits rights they do not hold."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID, uuid4

import httpx

if TYPE_CHECKING:  # conftest modules are not importable; the fixture brings the class
    from integration.conftest import AuthApi

EPI = uuid4()
PASSWORD = "pa55word-long"


async def _role(api: AuthApi, kind: str, *rights: str) -> str:
    r = await api.post(
        "/roles", {"name": f"role {uuid4().hex[:8]}", "type": kind, "rights": rights}
    )
    assert r.status_code == 201, r.text
    return str(r.json()["role_id"])


async def _node(
    api: AuthApi, parent: str | None = None, facilities: list[UUID] | None = None
) -> str:
    r = await api.post(
        "/supervisory-nodes", {"code": f"SN-{uuid4().hex[:6]}", "name": "n", "parent_id": parent}
    )
    node = str(r.json()["node_id"])
    if facilities:
        r = await api.post("/requisition-groups", {
            "code": f"RG-{uuid4().hex[:6]}", "name": "g", "supervisory_node_id": node,
            "member_facility_ids": [str(f) for f in facilities], "program_ids": [str(EPI)],
        })  # fmt: skip
        assert r.status_code == 201, r.text
    return node


class Caller:
    """A signed-in user calling the admin API."""

    def __init__(self, api: AuthApi, user_id: UUID, headers: dict[str, str]) -> None:
        self.api, self.user_id, self.headers = api, user_id, headers

    async def call(self, method: str, path: str, body: Any = None) -> httpx.Response:
        await self.api.sync()
        return await self.api.client.request(method, path, json=body, headers=self.headers)

    async def assign(self, user_id: UUID, role: str, **scope: Any) -> httpx.Response:
        body = {"role_id": role, **{k: str(v) for k, v in scope.items()}}
        return await self.call("POST", f"/users/{user_id}/role-assignments", body)


async def _helpdesk(api: AuthApi, *rights: str) -> Caller:
    """A user holding these administration rights (USERS_MANAGE, USER_ROLES_MANAGE…)."""
    name = f"helpdesk-{uuid4().hex[:6]}"
    user_id = await api.user(name, PASSWORD)
    r = await api.post(f"/users/{user_id}/role-assignments",
                       {"role_id": await _role(api, "GENERAL_ADMIN", *rights)})  # fmt: skip
    assert r.status_code == 201, r.text
    return Caller(api, user_id, await api.bearer(name, PASSWORD))


def _refused(r: httpx.Response, *words: str) -> None:
    assert r.status_code == 403, r.text
    assert r.headers["content-type"] == "application/problem+json"
    for word in words:
        assert word in r.json()["detail"], r.json()["detail"]


async def test_a_role_with_a_right_the_caller_lacks_cannot_be_assigned(api: AuthApi) -> None:
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE")
    target = await api.user(f"puppet-{uuid4().hex[:6]}")
    settings_role = await _role(api, "GENERAL_ADMIN", "SYSTEM_SETTINGS_MANAGE")
    _refused(await helpdesk.assign(target, settings_role), "SYSTEM_SETTINGS_MANAGE")
    own_kind = await _role(api, "GENERAL_ADMIN", "USER_ROLES_MANAGE")
    assert (await helpdesk.assign(target, own_kind)).status_code == 201


async def test_nobody_changes_their_own_role_assignments(api: AuthApi) -> None:
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE", "USERS_MANAGE")
    same_rights = await _role(api, "GENERAL_ADMIN", "USERS_MANAGE")
    _refused(await helpdesk.assign(helpdesk.user_id, same_rights), "your own role assignments")
    [mine] = (await helpdesk.call("GET", f"/users/{helpdesk.user_id}/role-assignments")).json()
    path = f"/users/{helpdesk.user_id}/role-assignments/{mine['assignment_id']}"
    _refused(await helpdesk.call("DELETE", path), "your own role assignments")


async def test_a_supervision_right_is_granted_only_where_the_caller_holds_it(
    api: AuthApi,
) -> None:
    mine, theirs = uuid4(), uuid4()
    stock = await _role(api, "SUPERVISION", "STOCK_ADJUST")
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE")
    name = (await api.get(f"/users/{helpdesk.user_id}")).json()["username"]
    await api.hold(stock, EPI, await _node(api, facilities=[mine]), username=name)
    at_mine = await api.user(f"nurse-{uuid4().hex[:6]}", home_facility_id=str(mine))
    at_theirs = await api.user(f"nurse-{uuid4().hex[:6]}", home_facility_id=str(theirs))
    assert (await helpdesk.assign(at_mine, stock, program_id=EPI)).status_code == 201
    _refused(await helpdesk.assign(at_theirs, stock, program_id=EPI), f"STOCK_ADJUST|{theirs}")
    _refused(await helpdesk.assign(at_mine, stock, program_id=uuid4()), "STOCK_ADJUST|")


async def test_approval_is_delegated_down_the_tree_never_up(api: AuthApi) -> None:
    region = await _node(api)
    district = await _node(api, region, [uuid4()])
    approve = await _role(api, "SUPERVISION", "REQUISITION_APPROVE")
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE")
    name = (await api.get(f"/users/{helpdesk.user_id}")).json()["username"]
    await api.hold(approve, EPI, district, username=name)
    target = await api.user(f"approver-{uuid4().hex[:6]}")
    r = await helpdesk.assign(target, approve, program_id=EPI, supervisory_node_id=region)
    _refused(r, f"REQUISITION_APPROVE at node {region}")
    r = await helpdesk.assign(target, approve, program_id=EPI, supervisory_node_id=district)
    assert r.status_code == 201, r.text
    await api.hold(approve, EPI, region)
    other = await api.user(f"approver-{uuid4().hex[:6]}")
    assert (await api.post(f"/users/{other}/role-assignments", {
        "role_id": approve, "program_id": str(EPI), "supervisory_node_id": district,
    })).status_code == 201  # fmt: skip


async def test_a_user_manager_cannot_reset_or_edit_a_more_powerful_user(api: AuthApi) -> None:
    helpdesk = await _helpdesk(api, "USERS_MANAGE")
    admin = (await api.get("/users?limit=500")).json()
    [root] = [u["user_id"] for u in admin if u["username"] == api.ADMIN]
    new = {"password": "0wned-by-helpdesk"}
    _refused(await helpdesk.call("PUT", f"/users/{root}/password", new), "password of")
    _refused(await helpdesk.call("POST", f"/users/{root}/deactivate"), "edit user")
    _refused(await helpdesk.call("PATCH", f"/users/{root}", {"email": "x@example.org"}))
    await api.login(api.ADMIN, api.ADMIN_PASSWORD)
    plain = await api.user(f"plain-{uuid4().hex[:6]}")
    assert (await helpdesk.call("PUT", f"/users/{plain}/password", new)).status_code == 204


async def test_a_deactivated_administrator_is_still_out_of_a_user_managers_reach(
    api: AuthApi,
) -> None:
    helpdesk = await _helpdesk(api, "USERS_MANAGE")
    other_admin = await _helpdesk(api, "SYSTEM_SETTINGS_MANAGE")
    assert (await api.post(f"/users/{other_admin.user_id}/deactivate")).status_code == 200
    path = f"/users/{other_admin.user_id}/password"
    _refused(await helpdesk.call("PUT", path, {"password": "0wned-by-helpdesk"}))


async def test_moving_a_home_facility_cannot_carry_rights_where_the_editor_lacks_them(
    api: AuthApi,
) -> None:
    mine, theirs = uuid4(), uuid4()
    stock = await _role(api, "SUPERVISION", "STOCK_ADJUST")
    helpdesk = await _helpdesk(api, "USERS_MANAGE")
    name = (await api.get(f"/users/{helpdesk.user_id}")).json()["username"]
    await api.hold(stock, EPI, await _node(api, facilities=[mine]), username=name)
    nurse = await api.user(f"nurse-{uuid4().hex[:6]}", home_facility_id=str(mine))
    await api.hold(stock, EPI, username=(await api.get(f"/users/{nurse}")).json()["username"])
    r = await helpdesk.call("PATCH", f"/users/{nurse}", {"home_facility_id": str(theirs)})
    _refused(r, f"STOCK_ADJUST|{theirs}")
    r = await helpdesk.call("PATCH", f"/users/{nurse}", {"email": "nurse@example.org"})
    assert r.status_code == 200, r.text


async def test_a_role_cannot_be_given_a_right_its_editor_lacks(api: AuthApi) -> None:
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE", "USERS_MANAGE")
    [mine] = (await helpdesk.call("GET", f"/users/{helpdesk.user_id}/role-assignments")).json()
    path = f"/roles/{mine['role_id']}/rights"
    grown = {"rights": ["USER_ROLES_MANAGE", "USERS_MANAGE", "SYSTEM_SETTINGS_MANAGE"]}
    _refused(await helpdesk.call("PUT", path, grown), "SYSTEM_SETTINGS_MANAGE")
    shrunk = {"rights": ["USER_ROLES_MANAGE", "USERS_MANAGE"]}
    assert (await helpdesk.call("PUT", path, shrunk)).status_code == 200


async def test_an_assignment_conferring_rights_the_caller_lacks_cannot_be_taken_away(
    api: AuthApi,
) -> None:
    helpdesk = await _helpdesk(api, "USER_ROLES_MANAGE")
    target = await api.user(f"target-{uuid4().hex[:6]}")
    settings_role = await _role(api, "GENERAL_ADMIN", "SYSTEM_SETTINGS_MANAGE")
    r = await api.post(f"/users/{target}/role-assignments", {"role_id": settings_role})
    path = f"/users/{target}/role-assignments/{r.json()['assignment_id']}"
    _refused(await helpdesk.call("DELETE", path), "SYSTEM_SETTINGS_MANAGE")
    assert (await api.delete(path)).status_code == 204


async def test_the_operator_at_the_command_line_grants_what_nobody_holds(api: AuthApi) -> None:
    from akiba_auth.admin import assign_as_operator
    from akiba_auth.domain.model import Scope

    name = f"role {uuid4().hex[:8]}"
    r = await api.post("/roles", {"name": name, "type": "ORDER_FULFILLMENT",
                                  "rights": ["SHIPMENTS_EDIT"]})  # fmt: skip
    warehouse, user = uuid4(), await api.user(f"clerk-{uuid4().hex[:6]}")
    body = {"role_id": r.json()["role_id"], "warehouse_id": str(warehouse)}
    _refused(await api.post(f"/users/{user}/role-assignments", body), "SHIPMENTS_EDIT")
    username = (await api.get(f"/users/{user}")).json()["username"]
    await assign_as_operator(api.settings, username, name, Scope(warehouse_id=warehouse))
    assert (await api.permissions(user))[-1]["permissions"] == [f"SHIPMENTS_EDIT|{warehouse}"]
