"""Refresh tokens at the gateway, as at auth: rotation, replay, revocation, the cache's word."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_contracts.sync import SiteCredentials
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import PASSWORD, Site, receipt, seed


class Clock:
    """A wall clock the test moves."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    """The app's clock."""
    return Clock()


@pytest.fixture
def creds(site: Site) -> SiteCredentials:
    """What auth last said of the site's users: a clerk and a viewer."""
    rights = [Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW]
    return site.credentials(
        {"clerk": site.grant(*rights), "viewer": site.grant(Right.STOCK_CARDS_VIEW)}
    )


@pytest.fixture
async def gateway(
    db: Database, site: Site, creds: SiteCredentials, clock: Clock
) -> AsyncIterator[httpx.AsyncClient]:
    """The local API with a clock the test moves and refresh families of 2 days."""
    await seed(db, site, creds)
    app = create_app(Settings(site_id=site.site_id, refresh_token_days=2), db, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as c:
            yield c


async def _password(client: httpx.AsyncClient, username: str = "clerk") -> dict[str, Any]:
    form = {"grant_type": "password", "username": username, "password": PASSWORD}
    r = await client.post("/oauth/token", data=form)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(
        "/oauth/token", data={"grant_type": "refresh_token", "refresh_token": token}
    )


def _refused(r: httpx.Response) -> bool:
    return (r.status_code, r.json()["error"]) == (400, "invalid_grant")


async def _recache(gateway: httpx.AsyncClient, db: Database, creds: SiteCredentials) -> None:
    """What the credentials loop does with auth's next document."""
    await db.write(lambda c: credentials.cache_credentials(c, creds))
    app = gateway._transport.app  # type: ignore[attr-defined]
    app.state.authority.use(await db.read(credentials.permissions))


async def test_the_password_grant_gives_a_refresh_token_with_the_access_token(
    gateway: httpx.AsyncClient,
) -> None:
    form = {"grant_type": "password", "username": "clerk", "password": PASSWORD}
    r = await gateway.post("/oauth/token", data=form)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 8 * 3600
    assert len(body["refresh_token"]) >= 43


async def test_a_refresh_gives_new_tokens_and_spends_the_old_refresh_token(
    gateway: httpx.AsyncClient, site: Site
) -> None:
    first = await _password(gateway)
    r = await _refresh(gateway, first["refresh_token"])
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    headers = {"authorization": f"Bearer {second['access_token']}"}
    assert (await gateway.get(f"/stores/{site.store_id}/stock-on-hand", headers=headers)).is_success
    assert (await _refresh(gateway, second["refresh_token"])).status_code == 200


async def test_reusing_a_spent_refresh_token_revokes_the_whole_family(
    gateway: httpx.AsyncClient,
) -> None:
    first = await _password(gateway)
    second = (await _refresh(gateway, first["refresh_token"])).json()
    assert _refused(await _refresh(gateway, first["refresh_token"]))
    assert _refused(await _refresh(gateway, second["refresh_token"]))


async def test_two_refreshes_with_one_token_at_once_end_the_family(
    gateway: httpx.AsyncClient,
) -> None:
    first = await _password(gateway)
    answers = await asyncio.gather(*(_refresh(gateway, first["refresh_token"]) for _ in range(2)))
    assert sorted(r.status_code for r in answers) == [200, 400]
    (winner,) = [r.json() for r in answers if r.status_code == 200]
    assert _refused(await _refresh(gateway, winner["refresh_token"]))


async def test_another_sign_in_of_the_same_user_is_another_family(
    gateway: httpx.AsyncClient,
) -> None:
    tablet, laptop = await _password(gateway), await _password(gateway)
    await _refresh(gateway, tablet["refresh_token"])
    assert _refused(await _refresh(gateway, tablet["refresh_token"]))
    assert (await _refresh(gateway, laptop["refresh_token"])).status_code == 200


async def test_a_revoked_refresh_token_and_its_family_are_refused(
    gateway: httpx.AsyncClient,
) -> None:
    first = await _password(gateway)
    second = (await _refresh(gateway, first["refresh_token"])).json()
    r = await gateway.post("/oauth/revoke", data={"token": second["refresh_token"]})
    assert r.status_code == 200 and r.content == b"" and r.headers["cache-control"] == "no-store"
    assert _refused(await _refresh(gateway, second["refresh_token"]))
    assert (await gateway.post("/oauth/revoke", data={"token": second["refresh_token"]})).is_success


async def test_revoking_an_unknown_token_still_answers_200(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.post("/oauth/revoke", data={"token": "nonsense"})).status_code == 200


async def test_revoking_without_a_token_is_an_invalid_request(gateway: httpx.AsyncClient) -> None:
    r = await gateway.post("/oauth/revoke", data={})
    assert (r.status_code, r.json()["error"]) == (400, "invalid_request")


async def test_a_refresh_token_expires_with_its_family_however_often_it_was_rotated(
    gateway: httpx.AsyncClient, clock: Clock
) -> None:
    tokens = await _password(gateway)
    clock.now += timedelta(days=1)
    tokens = (await _refresh(gateway, tokens["refresh_token"])).json()
    clock.now += timedelta(days=1, seconds=1)
    assert _refused(await _refresh(gateway, tokens["refresh_token"]))


async def test_a_user_auth_no_longer_lists_for_the_site_cannot_refresh(
    gateway: httpx.AsyncClient, db: Database, creds: SiteCredentials
) -> None:
    tokens = await _password(gateway)
    without = creds.model_copy(update={"users": [u for u in creds.users if u.username != "clerk"]})
    await _recache(gateway, db, without)
    assert _refused(await _refresh(gateway, tokens["refresh_token"]))
    await _recache(gateway, db, creds)  # listed again: the ended family stays ended
    assert _refused(await _refresh(gateway, tokens["refresh_token"]))


async def test_a_deactivated_user_can_neither_sign_in_nor_refresh(
    gateway: httpx.AsyncClient, db: Database, creds: SiteCredentials
) -> None:
    tokens = await _password(gateway)
    users = [u.model_copy(update={"active": u.username != "clerk"}) for u in creds.users]
    await _recache(gateway, db, creds.model_copy(update={"users": users}))
    assert _refused(await _refresh(gateway, tokens["refresh_token"]))
    form = {"grant_type": "password", "username": "clerk", "password": PASSWORD}
    assert _refused(await gateway.post("/oauth/token", data=form))


async def test_a_refreshed_access_token_holds_the_users_rights_as_cached_now(
    gateway: httpx.AsyncClient, db: Database, creds: SiteCredentials, site: Site
) -> None:
    tokens = await _password(gateway, "viewer")
    granted = [
        u.model_copy(update={"permissions": site.grant(Right.STOCK_ADJUST)})
        if u.username == "viewer" else u
        for u in creds.users
    ]  # fmt: skip
    await _recache(gateway, db, creds.model_copy(update={"users": granted}))
    refreshed = (await _refresh(gateway, tokens["refresh_token"])).json()
    headers = {"authorization": f"Bearer {refreshed['access_token']}"}
    r = await gateway.post(
        f"/stores/{site.store_id}/receipts", json=receipt(site, 5), headers=headers
    )
    assert r.status_code == 201, r.text


async def test_the_file_keeps_digests_of_refresh_tokens_never_the_tokens(
    gateway: httpx.AsyncClient, db: Database
) -> None:
    token = (await _password(gateway))["refresh_token"]
    stored = await db.read(lambda c: c.execute("SELECT token_hash FROM refresh_tokens").fetchall())
    assert len(stored) == 1 and token.encode() not in bytes(stored[0][0])


@pytest.mark.parametrize(
    ("form", "error"),
    [
        ({}, "invalid_request"),
        ({"grant_type": "client_credentials"}, "unsupported_grant_type"),
        ({"grant_type": "password", "username": "clerk"}, "invalid_request"),
        ({"grant_type": "refresh_token"}, "invalid_request"),
        ({"grant_type": "refresh_token", "refresh_token": "nonsense"}, "invalid_grant"),
    ],
)
async def test_malformed_token_requests_get_oauth_errors_as_at_auth(
    gateway: httpx.AsyncClient, form: dict[str, str], error: str
) -> None:
    r = await gateway.post("/oauth/token", data=form)
    assert (r.status_code, r.json()["error"]) == (400, error)
    assert r.headers["content-type"] == "application/json"
