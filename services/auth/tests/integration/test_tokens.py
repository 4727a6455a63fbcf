"""The token endpoint, refresh rotation, revocation, JWKS and key rotation on a real database."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Any
from uuid import uuid4

import jwt
import pytest

if TYPE_CHECKING:  # conftest modules are not importable; the fixture brings the class
    from integration.conftest import AuthApi

PASSWORD = "pa55word-long"


def _verify(jwks: dict[str, Any], token: str, api: AuthApi) -> dict[str, Any]:
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWKSet.from_dict(jwks)[kid]
    claims: dict[str, Any] = jwt.decode(
        token,
        key.key,
        algorithms=["EdDSA"],
        audience=api.settings.auth_audience,
        issuer=api.settings.auth_issuer,
    )
    return claims


async def test_the_password_grant_gives_a_signed_access_token_and_a_refresh_token(
    api: AuthApi,
) -> None:
    user_id = await api.user("amina")
    r = await api.token(grant_type="password", username="AMINA", password=PASSWORD)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 300 and body["refresh_token"]
    header = jwt.get_unverified_header(body["access_token"])
    assert (header["alg"], header["typ"]) == ("EdDSA", "at+jwt")
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    claims = _verify(jwks, body["access_token"], api)
    assert (claims["sub"], claims["kind"], claims["username"]) == (str(user_id), "user", "amina")
    assert claims["exp"] - claims["iat"] == 300 and claims["nbf"] == claims["iat"]
    assert "rights" not in claims and claims["jti"]


async def test_a_wrong_password_and_an_unknown_user_get_identical_answers(api: AuthApi) -> None:
    await api.user("amina")
    wrong = await api.token(grant_type="password", username="amina", password="nope-nope")
    unknown = await api.token(grant_type="password", username="nobody", password="nope-nope")
    assert wrong.status_code == unknown.status_code == 400
    assert (
        wrong.json()
        == unknown.json()
        == {
            "error": "invalid_grant",
            "error_description": "invalid username or password",
        }
    )
    assert wrong.headers.get("content-type") == unknown.headers.get("content-type")


async def test_repeated_failures_for_a_user_are_refused_with_429_and_retry_after(
    api: AuthApi,
) -> None:
    await api.user("amina")
    for _ in range(3):
        r = await api.token(grant_type="password", username="amina", password="wrong-one")
        assert r.status_code == 400
    r = await api.token(grant_type="password", username="amina", password=PASSWORD)
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["error"] == "temporarily_unavailable"


async def test_unknown_users_are_rate_limited_like_known_ones(api: AuthApi) -> None:
    for _ in range(3):
        await api.token(grant_type="password", username="ghost", password="wrong-one")
    r = await api.token(grant_type="password", username="ghost", password="wrong-one")
    assert r.status_code == 429


async def test_many_failures_from_one_address_are_refused_across_usernames(api: AuthApi) -> None:
    for i in range(10):
        await api.token(grant_type="password", username=f"guess{i}", password="wrong-one")
    r = await api.token(grant_type="password", username=api.ADMIN, password=api.ADMIN_PASSWORD)
    assert r.status_code == 429


async def test_a_refresh_gives_new_tokens_and_spends_the_old_refresh_token(api: AuthApi) -> None:
    await api.user("amina")
    first = await api.login("amina", PASSWORD)
    r = await api.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    r = await api.token(grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert r.status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(api: AuthApi) -> None:
    await api.user("amina")
    first = await api.login("amina", PASSWORD)
    second = (
        await api.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    ).json()
    reuse = await api.token(grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    r = await api.token(grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert r.status_code == 400


async def test_a_revoked_refresh_token_is_refused(api: AuthApi) -> None:
    await api.user("amina")
    tokens = await api.login("amina", PASSWORD)
    r = await api.client.post("/oauth/revoke", data={"token": tokens["refresh_token"]})
    assert r.status_code == 200
    r = await api.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


async def test_revoking_an_unknown_token_still_answers_200(api: AuthApi) -> None:
    assert (await api.client.post("/oauth/revoke", data={"token": "nonsense"})).status_code == 200


async def test_a_deactivated_user_can_neither_sign_in_nor_refresh(api: AuthApi) -> None:
    user_id = await api.user("amina")
    tokens = await api.login("amina", PASSWORD)
    assert (await api.post(f"/users/{user_id}/deactivate")).status_code == 200
    r = await api.token(grant_type="password", username="amina", password=PASSWORD)
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"
    r = await api.token(grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert r.status_code == 400


async def test_a_service_client_gets_an_access_token_with_its_rights(api: AuthApi) -> None:
    r = await api.post(
        "/service-clients",
        {
            "client_id": "reporting",
            "name": "Reporting",
            "rights": ["REPORTS_VIEW"],
        },
    )
    assert r.status_code == 201
    secret = r.json()["secret"]
    r = await api.token(
        grant_type="client_credentials", client_id="reporting", client_secret=secret
    )
    assert r.status_code == 200 and "refresh_token" not in r.json()
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    claims = _verify(jwks, r.json()["access_token"], api)
    assert (claims["sub"], claims["kind"], claims["rights"]) == (
        "reporting",
        "client",
        ["REPORTS_VIEW"],
    )


async def test_client_credentials_work_with_http_basic_authentication(api: AuthApi) -> None:
    r = await api.post("/service-clients", {"client_id": "etl", "name": "ETL", "rights": []})
    r = await api.client.post(
        "/oauth/token", data={"grant_type": "client_credentials"}, auth=("etl", r.json()["secret"])
    )
    assert r.status_code == 200


async def test_a_wrong_client_secret_is_invalid_client_401(api: AuthApi) -> None:
    await api.post("/service-clients", {"client_id": "etl", "name": "ETL", "rights": []})
    r = await api.token(grant_type="client_credentials", client_id="etl", client_secret="guess")
    unknown = await api.token(grant_type="client_credentials", client_id="who", client_secret="x")
    assert r.status_code == unknown.status_code == 401
    assert r.json()["error"] == unknown.json()["error"] == "invalid_client"


async def test_a_site_gets_a_site_token_with_its_id_as_client_id(api: AuthApi) -> None:
    r = await api.post("/sites", {"name": "Kibera gateway", "store_ids": []})
    site = r.json()
    r = await api.token(
        grant_type="client_credentials", client_id=site["site_id"], client_secret=site["secret"]
    )
    assert r.status_code == 200
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    claims = _verify(jwks, r.json()["access_token"], api)
    assert (claims["kind"], claims["site_id"], claims["sub"]) == (
        "site",
        site["site_id"],
        site["site_id"],
    )


async def test_a_deactivated_site_is_refused(api: AuthApi) -> None:
    site = (await api.post("/sites", {"name": "Gateway"})).json()
    assert (await api.post(f"/sites/{site['site_id']}/deactivate")).status_code == 200
    r = await api.token(
        grant_type="client_credentials", client_id=site["site_id"], client_secret=site["secret"]
    )
    assert r.status_code == 401


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "amina"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
    ],
)
async def test_malformed_token_requests_get_oauth_errors(
    api: AuthApi, form: dict[str, str], error: str
) -> None:
    r = await api.token(**form)
    assert r.status_code == 400 and r.json()["error"] == error


async def test_the_jwks_verifies_tokens_and_rotation_keeps_old_tokens_verifiable(
    api: AuthApi,
) -> None:
    await api.user("amina")
    old = (await api.login("amina", PASSWORD))["access_token"]
    r = await api.post("/signing-keys/rotate")
    assert r.status_code == 201
    new_kid = r.json()["kid"]
    new = (await api.login("amina", PASSWORD))["access_token"]
    assert jwt.get_unverified_header(new)["kid"] == new_kid != jwt.get_unverified_header(old)["kid"]
    jwks = (await api.client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 2 and all("d" not in k for k in jwks["keys"])
    assert _verify(jwks, old, api)["sub"] == _verify(jwks, new, api)["sub"]


async def test_rotation_publishes_the_new_key_and_the_old_one_with_its_retirement(
    api: AuthApi,
) -> None:
    before = await api.events("auth.signing-keys")
    await api.post("/signing-keys/rotate")
    after = (await api.events("auth.signing-keys"))[len(before) :]
    retired = [k for k in after if k["retired_at"]]
    assert len(after) == 2 and len(retired) == 1
    assert retired[0]["kid"] == before[0]["kid"]


async def test_passwords_and_tokens_never_reach_the_logs(
    api: AuthApi, caplog: pytest.LogCaptureFixture
) -> None:
    await api.user("amina", password="s3cret-Passw0rd!")
    with caplog.at_level(logging.DEBUG):
        tokens = await api.login("amina", "s3cret-Passw0rd!")
        await api.token(grant_type="password", username="amina", password="wr0ng-Passw0rd!")
        refreshed = await api.token(
            grant_type="refresh_token", refresh_token=tokens["refresh_token"]
        )
    text = caplog.text + "".join(str(r.__dict__) for r in caplog.records)
    assert caplog.records, "expected some log records to inspect"
    for secret in (
        "s3cret-Passw0rd!",
        "wr0ng-Passw0rd!",
        tokens["access_token"],
        tokens["refresh_token"],
        refreshed.json()["refresh_token"],
    ):
        assert secret not in text


async def _site(api: AuthApi) -> dict[str, Any]:
    r = await api.post("/sites", {"name": f"Gateway {uuid4().hex[:6]}", "store_ids": []})
    assert r.status_code == 201, r.text
    site: dict[str, Any] = r.json()
    return site


def _client_form(client_id: str, secret: str) -> dict[str, str]:
    return {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}


async def test_fifty_wrong_secrets_against_a_sites_id_do_not_stop_its_sign_in(
    api: AuthApi,
) -> None:
    site = await _site(api)
    async with api.client_at("198.51.100.7") as attacker:
        for _ in range(50):
            r = await attacker.post("/oauth/token", data=_client_form(site["site_id"], "guess"))
            assert r.status_code in (401, 429)
    async with api.client_at("203.0.113.20") as gateway:
        r = await gateway.post("/oauth/token", data=_client_form(site["site_id"], site["secret"]))
    assert r.status_code == 200, r.text


async def test_failed_machine_sign_ins_are_limited_per_address_with_retry_after(
    api: AuthApi,
) -> None:
    site = await _site(api)
    async with api.client_at("198.51.100.8") as attacker:
        for i in range(20):  # the default client_failures_per_address
            r = await attacker.post("/oauth/token", data=_client_form(f"client-{i}", "guess"))
            assert r.status_code == 401
        r = await attacker.post("/oauth/token", data=_client_form(site["site_id"], site["secret"]))
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    assert r.json()["error"] == "temporarily_unavailable"


async def test_users_mistyping_passwords_do_not_stop_a_site_at_the_same_address(
    api: AuthApi,
) -> None:
    site = await _site(api)
    async with api.client_at("198.51.100.9") as facility:
        for i in range(api.settings.login_failures_per_address):
            form = {"grant_type": "password", "username": f"nurse{i}", "password": "typo"}
            assert (await facility.post("/oauth/token", data=form)).status_code == 400
        r = await facility.post("/oauth/token", data=_client_form(site["site_id"], site["secret"]))
    assert r.status_code == 200, r.text


async def test_successful_machine_sign_ins_are_not_counted_as_failures(api: AuthApi) -> None:
    site = await _site(api)
    async with api.client_at("198.51.100.10") as gateway:
        for _ in range(22):
            form = _client_form(site["site_id"], site["secret"])
            assert (await gateway.post("/oauth/token", data=form)).status_code == 200


async def test_concurrent_wrong_passwords_get_no_more_guesses_than_the_limit(
    api: AuthApi,
) -> None:
    await api.user("amina")
    form = {"grant_type": "password", "username": "amina", "password": "wrong-one"}
    async with api.client_at("198.51.100.11") as attacker:
        answers = await asyncio.gather(
            *(attacker.post("/oauth/token", data=form) for _ in range(24))
        )
    statuses = [r.status_code for r in answers]
    assert statuses.count(400) == api.settings.login_failures_per_user
    assert statuses.count(429) == 24 - api.settings.login_failures_per_user


async def test_concurrent_guesses_from_one_address_get_no_more_than_its_limit(
    api: AuthApi,
) -> None:
    async with api.client_at("198.51.100.12") as attacker:
        answers = await asyncio.gather(
            *(
                attacker.post(
                    "/oauth/token",
                    data={"grant_type": "password", "username": f"u{i}", "password": "x"},
                )
                for i in range(30)
            )
        )
    statuses = [r.status_code for r in answers]
    assert statuses.count(400) == api.settings.login_failures_per_address
    assert statuses.count(429) == 30 - api.settings.login_failures_per_address
