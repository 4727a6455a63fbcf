"""GET /sites/{site_id}/credentials: the site's users for offline sign-in, for that site only."""

from __future__ import annotations

import logging
from typing import Any
from uuid import UUID, uuid4

import httpx
import pytest

from .conftest import AuthApi


async def _site(api: AuthApi, *stores: UUID) -> tuple[str, str]:
    """A registered site and a site token from the client_credentials grant."""
    r = await api.post("/sites", {"name": "Gateway", "store_ids": [str(s) for s in stores]})
    site = r.json()
    grant = await api.token(
        grant_type="client_credentials", client_id=site["site_id"], client_secret=site["secret"]
    )
    assert grant.status_code == 200, grant.text
    return site["site_id"], grant.json()["access_token"]


async def _fulfillment_user(api: AuthApi, username: str, warehouse: UUID) -> UUID:
    user_id = await api.user(username)
    await _assign_fulfillment(api, user_id, warehouse)
    return user_id


async def _assign_fulfillment(api: AuthApi, user_id: UUID, warehouse: UUID) -> None:
    role = await api.post(
        "/roles", {"name": f"role {uuid4().hex[:8]}", "type": "ORDER_FULFILLMENT",
                   "rights": ["SHIPMENTS_EDIT"]},
    )  # fmt: skip
    await api.hold(role.json()["role_id"], warehouse=warehouse)
    r = await api.post(
        f"/users/{user_id}/role-assignments",
        {"role_id": role.json()["role_id"], "warehouse_id": str(warehouse)},
    )
    assert r.status_code == 201, r.text


async def _credentials(api: AuthApi, site_id: str, token: str | None) -> httpx.Response:
    await api.sync()
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return await api.client.get(f"/sites/{site_id}/credentials", headers=headers)


def _by_name(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["username"]: u for u in body["users"]}


async def test_a_site_gets_the_active_users_with_rights_at_its_stores_and_only_those_rights(
    api: AuthApi,
) -> None:
    store, elsewhere = uuid4(), uuid4()
    site_id, token = await _site(api, store)
    storekeeper = await _fulfillment_user(api, "storekeeper", store)
    await _fulfillment_user(api, "far-away", elsewhere)
    await api.user("nurse", home_facility_id=str(store))  # no rights there: nothing to do
    leaver = await _fulfillment_user(api, "leaver", store)
    await api.post(f"/users/{leaver}/deactivate")
    both = await _fulfillment_user(api, "both", store)
    await _assign_fulfillment(api, both, elsewhere)

    r = await _credentials(api, site_id, token)

    assert r.status_code == 200, r.text
    # The administrator holds what they delegated at the store, so is cached there too.
    users = _by_name(r.json())
    assert sorted(users) == ["both", api.ADMIN, "storekeeper"]
    assert users["storekeeper"]["user_id"] == str(storekeeper)
    assert users["storekeeper"]["permissions"] == [f"SHIPMENTS_EDIT|{store}"]
    assert users["storekeeper"]["password_hash"].startswith("$argon2id$")
    assert users["both"]["permissions"] == [f"SHIPMENTS_EDIT|{store}"]
    assert users[api.ADMIN]["permissions"] == [f"SHIPMENTS_EDIT|{store}"]
    assert all(u["active"] for u in users.values())
    assert r.json()["store_ids"] == [str(store)]


async def test_credentials_are_refused_to_another_site_a_user_and_no_token(
    api: AuthApi,
) -> None:
    site_id, _ = await _site(api, uuid4())
    _, other_token = await _site(api, uuid4())
    admin = api.admin["authorization"].removeprefix("Bearer ")

    outcome = [
        (await _credentials(api, site_id, token)).status_code
        for token in (other_token, admin, None)
    ]

    assert outcome == [403, 403, 401]


async def test_password_hashes_are_never_logged(
    api: AuthApi, caplog: pytest.LogCaptureFixture
) -> None:
    store = uuid4()
    site_id, token = await _site(api, store)
    await _fulfillment_user(api, "keeper", store)
    caplog.set_level(logging.DEBUG)

    r = await _credentials(api, site_id, token)

    hashes = [u["password_hash"] for u in r.json()["users"]]
    assert hashes and all(hashes)
    assert not any(h in caplog.text for h in hashes)
    assert not any(h in str(rec.__dict__) for h in hashes for rec in caplog.records)
