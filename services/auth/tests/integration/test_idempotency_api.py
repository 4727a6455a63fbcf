"""Idempotency-Key on auth's admin writes; the token endpoints take none."""

from __future__ import annotations

from uuid import uuid4

from akiba_auth.api.app import create_app
from akiba_auth.settings import Settings
from akiba_platform.idempotency import PARAMETER

from .conftest import AuthApi


async def test_a_retried_user_creation_creates_one_user(api: AuthApi) -> None:
    body = {"username": f"nurse-{uuid4().hex[:6]}"}
    key = {"idempotency-key": str(uuid4())}
    first = await api.client.post("/users", json=body, headers={**api.admin, **key})
    again = await api.client.post("/users", json=body, headers={**api.admin, **key})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert (
        await api.pool.fetchval("select count(*) from users where username = $1", body["username"])
        == 1
    )


async def test_a_retried_site_registration_returns_its_secret_again_and_stores_it_sealed(
    api: AuthApi,
) -> None:
    key = {"idempotency-key": str(uuid4())}
    body = {"name": f"Site {uuid4().hex[:6]}", "store_ids": []}
    first = await api.client.post("/sites", json=body, headers={**api.admin, **key})
    again = await api.client.post("/sites", json=body, headers={**api.admin, **key})
    assert first.status_code == again.status_code == 201
    secret = first.json()["secret"]
    assert again.json()["secret"] == secret
    assert await api.pool.fetchval("select count(*) from sites") == 1
    stored = await api.pool.fetchval("select body from idempotency_keys")
    assert secret.encode() not in stored and b"secret" not in stored


async def test_a_retried_password_change_answers_204_again(api: AuthApi) -> None:
    user = await api.user(f"clerk-{uuid4().hex[:6]}")
    key = {"idempotency-key": str(uuid4())}
    path, body = f"/users/{user}/password", {"password": "a-new-long-password"}
    first = await api.client.put(path, json=body, headers={**api.admin, **key})
    again = await api.client.put(path, json=body, headers={**api.admin, **key})
    assert first.status_code == again.status_code == 204
    assert again.headers["idempotent-replayed"] == "true" and again.content == b""


async def test_the_token_endpoints_are_exempt(api: AuthApi) -> None:
    paths = create_app(Settings()).openapi()["paths"]
    for path in ("/oauth/token", "/oauth/revoke"):
        assert PARAMETER not in paths[path]["post"].get("parameters", [])
        assert "x-akiba-idempotency-exempt" in paths[path]["post"]
    form = {"grant_type": "password", "username": api.ADMIN, "password": api.ADMIN_PASSWORD}
    key = {"idempotency-key": "sign-in", **api.admin}
    a = await api.client.post("/oauth/token", data=form, headers=key)
    b = await api.client.post("/oauth/token", data=form, headers=key)
    assert a.json()["access_token"] != b.json()["access_token"]
    assert await api.pool.fetchval("select count(*) from idempotency_keys") == 0
