"""The requisition pages mounted in the gateway, through its real app and database: a clerk
initiates, requests and submits; an authorizer authorizes; rights hide buttons and refuse posts."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from uuid import uuid4

import httpx
import pytest

from akiba_contracts.rights import Right
from akiba_contracts.sync import FeedPage
from akiba_sync_gateway.adapters import credentials
from akiba_sync_gateway.adapters.db import Database
from akiba_sync_gateway.api.app import create_app
from akiba_sync_gateway.settings import Settings
from akiba_sync_gateway.sync import feed

from ..site import NOW, Site, seed
from .test_requisitions import TODAY, Setup
from .test_web_pages import _csrf, _sign_in

CLERK = [Right.REQUISITION_CREATE, Right.REQUISITION_VIEW, Right.REQUISITION_DELETE,
         Right.STOCK_CARDS_VIEW]  # fmt: skip
AUTHORIZER = [Right.REQUISITION_AUTHORIZE, Right.REQUISITION_VIEW, Right.STOCK_CARDS_VIEW]


@pytest.fixture
async def setup(db: Database, site: Site) -> Setup:
    """A site whose store follows a monthly schedule for a program, with a clerk and an
    authorizer (neither holds the other's right)."""
    await seed(db, site)
    ready = Setup(site)
    page = FeedPage(entries=ready.entries(), cursor=ready.cursor, more=False)
    after = len(site.entries())
    await db.write(lambda c: feed.apply_page(c, after=after, page=page, now=NOW,
                                             site_id=str(site.site_id)))  # fmt: skip
    creds = site.credentials({"clerk": site.grant(*CLERK),
                              "authorizer": site.grant(*AUTHORIZER)})  # fmt: skip
    await db.write(lambda c: credentials.cache_credentials(c, creds))
    return ready


@pytest.fixture
async def gateway(setup: Setup, db: Database, site: Site) -> AsyncIterator[httpx.AsyncClient]:
    """The gateway's app on that site, its clock on 15 July 2026 (May is the oldest open)."""
    app = create_app(Settings(site_id=site.site_id), db, clock=lambda: TODAY)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://site") as c:
            yield c


def _version(page: httpx.Response) -> str:
    found = re.search(r'name="version" value="(\d+)"', page.text)
    assert found, page.text[:500]
    return found.group(1)


async def _post(
    client: httpx.AsyncClient, page: httpx.Response, action: str, **fields: str
) -> httpx.Response:
    """Post one of the page's forms as the browser would: its CSRF token, a fresh key."""
    data = {"csrf": _csrf(page), "key": uuid4().hex, **fields}
    return await client.post(action, data=data)


async def _initiated(gateway: httpx.AsyncClient, site: Site) -> tuple[str, httpx.Response]:
    listing = await gateway.get(f"/app/stores/{site.store_id}/requisitions")
    r = await _post(gateway, listing, f"/app/stores/{site.store_id}/requisitions",
                    what="program", program_id=str(site.program_id))  # fmt: skip
    assert r.status_code == 303, r.text
    page = await gateway.get(r.headers["location"])
    return r.headers["location"], page


async def test_a_clerk_initiates_requests_with_a_reason_and_submits_on_the_pages(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    listing = await gateway.get(f"/app/stores/{site.store_id}/requisitions")
    assert listing.status_code == 200, listing.text
    assert "Essential medicines" in listing.text and "May" in listing.text
    where, page = await _initiated(gateway, site)
    assert page.status_code == 200 and "Initiated" in page.text
    item = site.item_id
    assert f'name="requested:{item}"' in page.text and 'aria-label="Requested quantity' in page.text
    assert "/submit" in page.text and "/authorize" not in page.text
    assert f'name="approved:{item}"' not in page.text  # approved quantities are central's

    saved = await _post(gateway, page, f"{where}/lines", version=_version(page),
                        **{f"requested:{item}": "70"})  # fmt: skip
    assert saved.status_code == 303 and saved.headers["location"].endswith("?done=saved")
    page = await gateway.get(saved.headers["location"])
    assert "Quantities saved" in page.text and 'value="70"' in page.text
    unexplained = await _post(gateway, page, f"{where}/submit", version=_version(page),
                              store_id=str(site.store_id))  # fmt: skip
    assert unexplained.status_code == 422
    assert "needs an explanation" in unexplained.text

    explained = {f"requested:{item}": "70", f"explanation:{item}": "campaign"}
    saved = await _post(gateway, unexplained, f"{where}/lines", version=_version(unexplained),
                        **explained)  # fmt: skip
    page = await gateway.get(saved.headers["location"])
    submitted = await _post(gateway, page, f"{where}/submit", version=_version(page),
                            store_id=str(site.store_id))  # fmt: skip
    assert submitted.status_code == 303, submitted.text
    page = await gateway.get(submitted.headers["location"])
    assert "Requisition submitted" in page.text and "Submitted" in page.text
    assert "campaign" in page.text and f'name="requested:{item}"' not in page.text

    listing = await gateway.get(f"/app/stores/{site.store_id}/requisitions?status=SUBMITTED")
    assert where.removeprefix("/app") in listing.text


async def test_a_clerk_sees_no_authorize_button_and_a_forged_authorize_is_refused(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    where, page = await _initiated(gateway, site)
    submitted_at = str(int(_version(page)) + 1)
    r = await _post(gateway, page, f"{where}/submit", version=_version(page),
                    store_id=str(site.store_id))  # fmt: skip
    page = await gateway.get(r.headers["location"])
    assert "Submitted" in page.text
    assert "/authorize" not in page.text and 'name="version"' not in page.text
    forged = await _post(gateway, page, f"{where}/authorize", version=submitted_at,
                         store_id=str(site.store_id))  # fmt: skip
    assert forged.status_code == 403
    still = await gateway.get(where)
    assert "Submitted" in still.text and "Authorized" not in still.text


async def test_an_authorizer_authorizes_what_the_clerk_submitted(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    where, page = await _initiated(gateway, site)
    await _post(gateway, page, f"{where}/submit", version=_version(page),
                store_id=str(site.store_id))  # fmt: skip
    gateway.cookies.clear()
    await _sign_in(gateway, "authorizer")
    page = await gateway.get(where)
    assert "/authorize" in page.text and "/submit" not in page.text
    assert f'name="requested:{site.item_id}"' in page.text  # the authorizer may still adjust
    r = await _post(gateway, page, f"{where}/authorize", version=_version(page),
                    store_id=str(site.store_id))  # fmt: skip
    assert r.status_code == 303, r.text
    page = await gateway.get(r.headers["location"])
    assert "Requisition authorized" in page.text and "Authorized" in page.text
    assert "/authorize" not in page.text and 'name="version"' not in page.text


async def test_a_step_on_a_stale_version_shows_the_conflict_on_the_current_page(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    where, old = await _initiated(gateway, site)
    saved = await _post(gateway, old, f"{where}/lines", version=_version(old),
                        **{f"requested:{site.item_id}": "0"})  # fmt: skip
    assert saved.status_code == 303
    stale = await _post(gateway, old, f"{where}/submit", version=_version(old),
                        store_id=str(site.store_id))  # fmt: skip
    assert stale.status_code == 409
    assert "Someone changed this requisition in the meantime" in stale.text
    assert int(_version(stale)) == int(_version(old)) + 1  # the page now holds the current one
    gateway.cookies.set("akiba_lang", "fr")
    again = await _post(gateway, old, f"{where}/lines", version=_version(old),
                        **{f"requested:{site.item_id}": "5"})  # fmt: skip
    assert again.status_code == 409 and "a modifié cette réquisition entre-temps" in again.text


async def test_a_clerk_deletes_an_initiated_requisition_and_returns_to_the_list(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    where, page = await _initiated(gateway, site)
    assert "/delete" in page.text and "/skip" in page.text
    r = await _post(gateway, page, f"{where}/delete", version=_version(page),
                    store_id=str(site.store_id))  # fmt: skip
    assert r.status_code == 303
    assert r.headers["location"] == f"/app/stores/{site.store_id}/requisitions?done=delete"
    listing = await gateway.get(r.headers["location"])
    assert "Requisition deleted" in listing.text and where.removeprefix("/app") not in listing.text
    assert (await gateway.get(where)).status_code == 404


async def test_a_clerk_drafts_an_internal_order_and_sends_it(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    listing = await gateway.get(f"/app/stores/{site.store_id}/requisitions")
    assert "District store" in listing.text
    r = await _post(gateway, listing, f"/app/stores/{site.store_id}/requisitions",
                    what="internal", supplying_facility_id=str(site.other_store),
                    comment="for the campaign")  # fmt: skip
    assert r.status_code == 303, r.text
    page = await gateway.get(r.headers["location"])
    assert "Internal order" in page.text and "/send" in page.text and "/submit" not in page.text
    sent = await _post(gateway, page, f"{r.headers['location']}/send", version=_version(page),
                       store_id=str(site.store_id))  # fmt: skip
    assert sent.status_code == 303, sent.text
    assert "Internal order sent" in (await gateway.get(sent.headers["location"])).text


async def test_approvals_are_central_and_a_site_says_so(
    gateway: httpx.AsyncClient, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    r = await gateway.get("/app/requisitions/approve")
    assert r.status_code == 404 and "approved and converted to orders centrally" in r.text


async def test_customer_requisitions_are_central_and_a_site_answers_not_found(
    gateway: httpx.AsyncClient, site: Site, setup: Setup
) -> None:
    await _sign_in(gateway, "clerk")
    listing = await gateway.get(f"/app/stores/{site.store_id}/requisitions")
    assert "customer-requisitions" not in listing.text  # no link in the store's nav
    rid = uuid4()
    for path in (f"/app/stores/{site.store_id}/customer-requisitions",
                 f"/app/customer-requisitions/{rid}"):  # fmt: skip
        assert (await gateway.get(path)).status_code == 404, path
    forged = await _post(gateway, listing, f"/app/customer-requisitions/{rid}/approve",
                         version="1", store_id=str(site.store_id))  # fmt: skip
    assert forged.status_code == 404
