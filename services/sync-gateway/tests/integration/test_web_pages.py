"""The web app mounted in the gateway, through its real app and database: no link needed."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings

from ..site import PASSWORD, Site, seed


@pytest.fixture
async def app(db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway with a clerk (stock rights) and a viewer (stock cards only)."""
    creds = site.credentials({
        "clerk": site.grant(Right.STOCK_ADJUST, Right.STOCK_CARDS_VIEW,
                            Right.STOCK_INVENTORIES_EDIT),
        "viewer": site.grant(Right.STOCK_CARDS_VIEW),
    })  # fmt: skip
    await seed(db, site, creds)
    gateway = create_app(Settings(site_id=site.site_id), db)
    async with gateway.router.lifespan_context(gateway):
        transport = httpx.ASGITransport(app=gateway)
        async with httpx.AsyncClient(transport=transport, base_url="http://site") as c:
            yield c


def _csrf(page: httpx.Response) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


async def _sign_in(client: httpx.AsyncClient, username: str) -> None:
    form = await client.get("/app/sign-in")
    r = await client.post("/app/sign-in", data={
        "username": username, "password": PASSWORD, "csrf": _csrf(form), "next": "/app/",
    })  # fmt: skip
    assert (r.status_code, r.headers["location"]) == (303, "/app/"), r.text


async def _receive(
    client: httpx.AsyncClient, site: Site, quantity: str, key: str
) -> httpx.Response:
    page = await client.get(f"/app/stores/{site.store_id}/movements/receive")
    return await client.post(f"/app/stores/{site.store_id}/movements/receive", data={
        "csrf": _csrf(page), "key": key, "item_id": str(site.item_id), "lot_code": "LOT-7",
        "expiry_date": "2031-05-31", "quantity": quantity, "location_id": str(site.shelf_a),
    })  # fmt: skip


async def test_a_page_without_a_session_sends_the_browser_to_sign_in(
    app: httpx.AsyncClient,
) -> None:
    r = await app.get("/app/")
    assert r.status_code == 303
    assert r.headers["location"] == "/app/sign-in?next=/app/"


async def test_signing_in_keeps_both_tokens_in_http_only_strict_cookies(
    app: httpx.AsyncClient,
) -> None:
    form = await app.get("/app/sign-in")
    r = await app.post("/app/sign-in", data={"username": "clerk", "password": PASSWORD,
                                              "csrf": _csrf(form)})  # fmt: skip
    cookies = r.headers.get_list("set-cookie")
    for name in ("akiba_at", "akiba_rt"):
        sent = next(c for c in cookies if c.startswith(f"{name}="))
        assert "HttpOnly" in sent and "SameSite=strict" in sent
    wrong = await app.post("/app/sign-in", data={"username": "clerk", "password": "nope",
                                                  "csrf": _csrf(form)})  # fmt: skip
    assert wrong.status_code == 401 and "Wrong username or password" in wrong.text


async def test_a_clerk_receives_on_the_page_once_even_when_the_form_is_sent_twice(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "clerk")
    dashboard = await app.get("/app/")
    assert dashboard.status_code == 200
    assert "Store S1" in dashboard.text and "No critical stock" in dashboard.text
    key = uuid4().hex
    for _ in range(2):
        r = await _receive(app, site, "40", key)
        assert r.status_code == 303, r.text
    stock = await app.get(r.headers["location"])
    assert "Receipt recorded" in stock.text and ">40<" in stock.text
    token = await _api_token(app)
    soh = await app.get(f"/stores/{site.store_id}/stock-on-hand",
                        headers={"authorization": f"Bearer {token}"})  # fmt: skip
    assert [line["quantity"] for line in soh.json()["items"]] == [40]


async def test_a_wrong_quantity_is_named_on_the_form_in_the_users_language(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "clerk")
    app.cookies.set("akiba_lang", "fr")
    r = await _receive(app, site, "douze", uuid4().hex)
    assert r.status_code == 422
    assert "Quantité (unités) : doit être un nombre entier." in r.text
    nul = await _receive(app, site, "1\x00", uuid4().hex)
    assert nul.status_code == 422


async def test_a_viewer_sees_no_receive_button_and_the_post_is_refused(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "viewer")
    stock = await app.get(f"/app/stores/{site.store_id}/stock")
    assert stock.status_code == 200 and "/movements/receive" not in stock.text
    r = await _receive(app, site, "5", uuid4().hex)
    assert r.status_code == 403


async def test_a_post_without_the_sessions_csrf_token_is_refused(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "clerk")
    r = await app.post(f"/app/stores/{site.store_id}/movements/receive",
                       data={"csrf": "forged", "quantity": "5"})  # fmt: skip
    assert r.status_code == 403 and "expired" in r.text


async def test_an_expired_access_token_is_refreshed_and_sign_out_revokes_the_refresh_token(
    app: httpx.AsyncClient,
) -> None:
    await _sign_in(app, "clerk")
    refresh = app.cookies["akiba_rt"]
    app.cookies.delete("akiba_at")
    r = await app.get("/app/")
    assert r.status_code == 200
    assert app.cookies.get("akiba_at") and app.cookies["akiba_rt"] != refresh
    current = app.cookies["akiba_rt"]
    page = await app.get("/app/")
    out = await app.post("/app/sign-out", data={"csrf": _csrf(page)})
    assert out.status_code == 303 and not app.cookies.get("akiba_at")
    # The refresh token in use until sign-out no longer works: revoked, not just forgotten.
    form = {"grant_type": "refresh_token", "refresh_token": current}
    assert (await app.post("/oauth/token", data=form)).status_code == 400


async def _api_token(client: httpx.AsyncClient) -> str:
    r = await client.post("/oauth/token", data={"grant_type": "password", "username": "clerk",
                                                "password": PASSWORD})  # fmt: skip
    return str(r.json()["access_token"])


async def test_odd_requests_to_the_pages_get_a_clear_refusal_never_a_server_error(
    app: httpx.AsyncClient, site: Site
) -> None:
    await _sign_in(app, "clerk")
    page = await app.get("/app/")
    csrf, store, other = _csrf(page), site.store_id, uuid4()
    gets = [
        "/app/stores/not-a-uuid/stock",
        f"/app/stores/{store}/stock?page=-1",
        f"/app/stores/{store}/stock?expiring_before=soon",
        f"/app/stores/{store}/stock?q=%00",
        f"/app/stores/{store}/stock?q={'x' * 5000}",
        f"/app/stores/{other}/stock",
        f"/app/stores/{store}/items/{other}/card",
        f"/app/stores/{store}/movements/teleport",
        f"/app/stores/{store}/stocktakes/{other}",
        f"/app/requisitions/{other}",
        f"/app/inbound/{other}",
        "/app/?kind=everything",
        "/app/fragments/alerts?kind=%00",
    ]
    for path in gets:
        r = await app.get(path)
        # An unknown item's card is an empty card; everything malformed is the client's.
        assert r.status_code < 500, (path, r.status_code, r.text[:300])
        assert r.status_code >= 400 or path.endswith("/card"), path
    posts = [
        (f"/app/stores/{store}/movements/receive", {"quantity": "9" * 400, "lot_code": "\x00"}),
        (f"/app/stores/{store}/movements/issue", {"line": "a:b:c", "quantity": "1"}),
        (f"/app/stores/{store}/stocktakes/{other}/counts", {"count:x:y:": "3"}),
        (f"/app/stores/{store}/stocktakes/{other}/finalise", {}),
        (f"/app/requisitions/{other}/submit", {"version": "x"}),
        (f"/app/inbound/{other}", {"pod_accepted:zz": "-4"}),
        ("/app/language", {"code": "xx" * 200}),
    ]
    for path, form in posts:
        r = await app.post(path, data={"csrf": csrf, "key": uuid4().hex, **form})
        assert r.status_code < 500, (path, r.status_code, r.text[:300])


async def test_two_users_of_one_tablet_each_keep_the_language_they_chose(
    app: httpx.AsyncClient,
) -> None:
    async def choose(code: str) -> None:
        page = await app.get("/app/")
        r = await app.post("/app/language", data={"code": code, "csrf": _csrf(page)})
        assert r.status_code == 303

    async def heading() -> str:
        page = await app.get("/app/")
        return "Tableau de bord" if "Tableau de bord" in page.text else "Dashboard"

    await _sign_in(app, "clerk")
    await choose("fr")
    await _sign_in(app, "viewer")
    await choose("en")
    await _sign_in(app, "clerk")
    assert await heading() == "Tableau de bord"
    await _sign_in(app, "viewer")
    assert await heading() == "Dashboard"
