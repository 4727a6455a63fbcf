"""The web app at central and at a site with no link, clicked through in a real browser."""

from __future__ import annotations

import uuid
from pathlib import Path
from uuid import UUID

import httpx
from playwright.async_api import Browser, Page, expect

from akiba_devtools.testing import wait_until
from tests.browser.chromium import look
from tests.e2e.sync.harness import USER_PASSWORD, Central, Gateway, synced
from tests.e2e.sync.test_site_receiving import Supplier


async def _stocked_store(central: Central) -> tuple[UUID, str, dict[str, str], str, str]:
    """A store with a clerk, an item with a lot, a location and a reason."""
    store, clerk = await central.central_store("WEB")
    tag = uuid.uuid4().hex[:6].upper()
    item = await central.call("inventory", "POST", "/items", {
        "code": f"AMX-{tag}", "name": f"Amoxicillin 250 mg {tag}",
        "dispensing_unit": "tablet", "net_content": 10,
    })  # fmt: skip
    await central.call("inventory", "POST", f"/stores/{store}/locations",
                       {"code": "A-01", "name": "Shelf A1"})  # fmt: skip
    await central.call("inventory", "POST", "/adjustment-reasons", {
        "name": f"Damaged {tag}", "direction": "debit", "category": "adjustment",
    })  # fmt: skip
    name = (await central.call("inventory", "GET", f"/stores/{store}"))["name"]
    return store, clerk, item, tag, name


async def _as_clerk(central: Central, clerk: str, method: str, path: str, body: object) -> None:
    r = await central.user_call("inventory", clerk, method, path, json=body)
    assert r.status_code in (200, 201), r.text


async def _sign_in(page: Page, central: Central, username: str) -> None:
    await page.goto(f"{central.url('web')}/app/")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await page.get_by_label("Username").fill(username)
    await page.get_by_label("Password").fill(USER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()


async def test_a_clerk_signs_in_sees_an_alert_start_and_end_live_and_counts_stock(
    central: Central, browser: Browser, artifacts: Path
) -> None:
    store, clerk, item, tag, store_name = await _stocked_store(central)
    base = f"/stores/{store}"
    # Ten received and ten issued: the store is out of an item it consumes.
    await _as_clerk(central, clerk, "POST", f"{base}/receipts",
                    {"item_id": item["item_id"], "lot_code": "L-1", "quantity": 10,
                     "expiry_date": "2031-01-31"})  # fmt: skip

    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()

    # A wrong password is refused on the page; the right one opens the dashboard.
    await page.goto(f"{central.url('web')}/app/")
    await look(page, artifacts, "01-sign-in")
    await page.get_by_label("Username").fill(clerk)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_contain_text("Wrong username or password")
    await page.get_by_label("Password").fill(USER_PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()
    cookies = {c["name"]: c for c in await context.cookies()}
    assert cookies["akiba_at"]["httpOnly"] and cookies["akiba_rt"]["httpOnly"]
    assert cookies["akiba_at"]["sameSite"] == "Strict"

    # The names arrive over the reference topics; the dashboard lists the store by name.
    async def store_listed() -> bool:
        await page.reload()
        return await page.get_by_role("link", name=store_name).count() > 0

    await wait_until(store_listed, what="the store's name on the dashboard", timeout=60)
    await look(page, artifacts, "02-dashboard-no-alerts")

    # Stock runs out elsewhere (the API): the alert appears without a reload.
    alert_row = page.locator(f"tr[data-alert='out_of_stock:{item['code']}']")
    lines = await central.user_call("inventory", clerk, "GET", f"{base}/stock-on-hand")
    batch = lines.json()["items"][0]["batch_id"]
    await _as_clerk(central, clerk, "POST", f"{base}/issues",
                    {"lines": [{"item_id": item["item_id"], "batch_id": batch,
                                "quantity": 10}]})  # fmt: skip
    await expect(alert_row).to_be_visible(timeout=30_000)
    await look(page, artifacts, "03-dashboard-out-of-stock-live")

    # A receipt through the web app, in a second tab; the first sees the alert end live.
    form = await context.new_page()
    await form.goto(f"{central.url('web')}/app{base}/movements/receive")
    await look(form, artifacts, "04-receive-form")
    await form.get_by_label("Item").select_option(item["item_id"])
    await form.get_by_label("Lot").fill("L-2")
    await form.get_by_label("Expiry").fill("2031-06-30")
    await form.get_by_label("Quantity (units)").fill("15")
    await form.get_by_label("Location").select_option(label="A-01 Shelf A1")
    await form.get_by_role("button", name="Record the receipt").click()
    await expect(form.get_by_role("status")).to_contain_text("Receipt recorded")
    await look(form, artifacts, "05-stock-on-hand")
    await expect(alert_row).to_have_count(0, timeout=30_000)
    await look(page, artifacts, "06-dashboard-alert-cleared-live")

    # The stock card: the running balance drawn, the entries listed.
    await form.get_by_role("link", name=f"{item['code']} {item['name']}").first.click()
    await expect(form.get_by_role("heading", name="Stock card", exact=False)).to_be_visible()
    await expect(form.locator("svg path.balance")).to_have_count(1)
    await look(form, artifacts, "07-stock-card")

    # A stocktake: start it, count one short with a reason, finalise; the card shows it.
    await form.get_by_role("link", name="Stocktakes").click()
    await look(form, artifacts, "08-stocktakes")
    await form.get_by_role("button", name="Start counting").click()
    await expect(form.get_by_role("table", name="Count list")).to_be_visible()
    count = form.locator("input.count").first
    await count.fill("14")
    await form.locator("select[name^='reason:']").first.select_option(label=f"Damaged {tag}")
    await form.get_by_role("button", name="Save the counts").click()
    await expect(form.locator("td.variance.off").first).to_have_text("-1")
    await look(form, artifacts, "09-stocktake-counted")
    await form.get_by_role("button", name="Finalise").click()
    await expect(form.get_by_text("Finalised")).to_be_visible()
    await look(form, artifacts, "10-stocktake-finalised")
    soh = await central.user_call("inventory", clerk, "GET", f"{base}/stock-on-hand")
    assert sum(line["quantity"] for line in soh.json()["items"]) == 14

    # French, chosen on the page: labels, dates and numbers follow.
    await page.get_by_label("Language").select_option("fr")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
    await look(page, artifacts, "11-dashboard-fr")

    # Signing out revokes the refresh token: the old one no longer refreshes.
    refresh = {c["name"]: c["value"] for c in await context.cookies()}["akiba_rt"]
    await page.get_by_role("button", name="Se déconnecter").click()
    await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
    async with httpx.AsyncClient(base_url=central.url("auth")) as c:
        form = {"grant_type": "refresh_token", "refresh_token": refresh}
        r = await c.post("/oauth/token", data=form)
    assert r.status_code == 400, r.text
    await context.close()


async def test_a_site_clerk_works_in_the_gateways_web_app_with_central_unreachable(
    central: Central, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    site = await central.new_site(stores=1)
    store, clerk = site.store_ids[0], site.clerks[site.store_ids[0]]
    gw = Gateway(central, site, tmp_path)
    try:
        proc = gw.start()
        await gw.started(proc)
        await gw.ready_to_record()
        # No link to central from here on: the site works on its own.
        gw.hub_link.cut()
        gw.auth_link.cut()

        context = await browser.new_context(locale="fr-FR")
        page = await context.new_page()
        await page.goto(f"{gw.url}/app/")
        await expect(page.get_by_role("heading", name="Connexion")).to_be_visible()
        await look(page, artifacts, "21-site-sign-in-fr")
        await page.get_by_label("Nom d'utilisateur").fill(clerk)
        await page.get_by_label("Mot de passe").fill(USER_PASSWORD)
        await page.get_by_role("button", name="Se connecter").click()
        await expect(page.get_by_role("heading", name="Tableau de bord")).to_be_visible()
        await expect(page.get_by_text("Site (fonctionne hors ligne)")).to_be_visible()
        await look(page, artifacts, "22-site-dashboard")

        form = await context.new_page()
        receive = f"{gw.url}/app/stores/{store}/movements/receive"

        async def received(quantity: int, lot: str) -> None:
            await form.goto(receive)
            await form.get_by_label("Article").select_option(str(site.item_id))
            await form.get_by_label("Lot").fill(lot)
            await form.get_by_label("Quantité (unités)").fill(str(quantity))
            await form.get_by_role("button", name="Enregistrer la réception").click()
            await expect(form.get_by_role("status")).to_contain_text("Réception enregistrée")

        await received(10, "S-1")
        await look(form, artifacts, "23-site-stock-on-hand")
        # All of it issued: out of stock, seen live on the dashboard in the other tab.
        await form.goto(f"{gw.url}/app/stores/{store}/movements/issue")
        await form.get_by_label("Stock (article, lot, emplacement, utilisable)").select_option(
            index=1
        )
        await form.get_by_label("Quantité (unités)").fill("10")
        await form.get_by_role("button", name="Enregistrer la sortie").click()
        await expect(form.get_by_role("status")).to_contain_text("Sortie enregistrée")
        alert_row = page.locator("tr[data-alert^='out_of_stock:']")
        await expect(alert_row).to_be_visible(timeout=30_000)
        await look(page, artifacts, "24-site-dashboard-out-of-stock-live")
        await received(15, "S-2")
        await expect(alert_row).to_have_count(0, timeout=30_000)
        await look(page, artifacts, "25-site-dashboard-alert-cleared-live")

        # A stocktake at the site, offline: count 15 as 15, finalise.
        await form.goto(f"{gw.url}/app/stores/{store}/stocktakes")
        await form.get_by_role("button", name="Commencer le comptage").click()
        await expect(form.get_by_role("table", name="Liste de comptage")).to_be_visible()
        await form.locator("input.count").first.fill("15")
        await form.get_by_role("button", name="Enregistrer les comptages").click()
        await look(form, artifacts, "26-site-stocktake-counted")
        await form.get_by_role("button", name="Clôturer").click()
        await expect(form.get_by_text("Clôturé").first).to_be_visible()
        await look(form, artifacts, "27-site-stocktake-finalised")
        await context.close()

        # The link comes back: what the site recorded reaches central, once.
        gw.hub_link.restore()
        gw.auth_link.restore()
        await synced(central, gw)
        assert len(await central.ledger([store])) == 3

        # Centrally, someone who sees the site's store sees the site's sync on the dashboard.
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        await _sign_in(page, central, clerk)
        sync = page.get_by_role("table").filter(has_text="Last contact")
        await expect(sync).to_contain_text("Up to date")
        await look(page, artifacts, "28-central-sites-sync")
        await context.close()
    finally:
        gw.stop()


async def test_a_dispatcher_ships_on_the_pages_and_an_offline_site_receives_with_a_rejection(
    central: Central, browser: Browser, artifacts: Path, tmp_path: Path
) -> None:
    site = await central.new_site()
    store, clerk = site.store_ids[0], site.clerks[site.store_ids[0]]
    sup = Supplier(central, site.item_id)  # the site's item comes in packs of 100
    await sup.setup()
    await sup.stock_up("B-1", "2031-03-31", 500)
    gw = Gateway(central, site, tmp_path)
    try:
        await gw.started(gw.start())
        await gw.ready_to_record()
        order = {"requesting_facility_id": str(store), "supplying_facility_id": str(sup.store),
                 "lines": [{"orderable_id": str(site.item_id), "packs": 3}]}  # fmt: skip
        o = (await sup.call(sup.dispatcher, "POST", "/orders", 201, json=order)).json()

        # The dispatcher makes, allocates, picks and ships the shipment on the pages.
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        await _sign_in(page, central, sup.dispatcher)
        await page.goto(f"{central.url('web')}/app/orders/{o['order_id']}")
        await look(page, artifacts, "31-order")
        await page.get_by_role("button", name="Create the shipment").click()
        await page.get_by_role("button", name="Allocate").click()
        await look(page, artifacts, "32-shipment-allocated")

        async def pick_offered() -> bool:
            await page.reload()  # picking waits for inventory's answer to the reservation
            return await page.get_by_role("button", name="Picked").count() > 0

        await wait_until(pick_offered, what="the pick offered", timeout=60)
        await look(page, artifacts, "33-pick-list")
        await page.get_by_role("button", name="Picked").click()
        await page.get_by_label("Carrier").fill("District truck")
        await page.get_by_role("button", name="Ship now").click()
        await expect(page.get_by_role("status")).to_contain_text("Shipment sent.")
        await look(page, artifacts, "34-shipped")
        shipment = page.url.split("?")[0].rsplit("/", 1)[1]
        await context.close()

        # It reaches the site, which then loses its link and receives on its own pages.
        async def at_site() -> bool:
            async with httpx.AsyncClient(base_url=gw.url, headers=gw.auth(store)) as c:
                return (await c.get(f"/inbound-shipments/{shipment}")).status_code == 200

        await wait_until(at_site, what="the shipment at the site", timeout=90)
        gw.hub_link.cut()
        gw.auth_link.cut()
        context = await browser.new_context(locale="en-GB")
        page = await context.new_page()
        await page.goto(f"{gw.url}/app/")
        await page.get_by_label("Username").fill(clerk)
        await page.get_by_label("Password").fill(USER_PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.goto(f"{gw.url}/app/inbound/{shipment}")
        await look(page, artifacts, "35-site-receive-form")
        accepted = page.get_by_label("Accepted (units)", exact=False).first
        await accepted.fill("200")
        await page.get_by_label("Rejected (units)", exact=False).first.fill("100")
        await page.get_by_label("Rejection reason", exact=False).first.select_option("DAMAGED")
        await page.get_by_label("Delivered by").fill("Driver Okello")
        await page.get_by_label("Received by").fill("Nurse Amina")
        await page.get_by_role("button", name="Confirm the receipt").click()
        await expect(page.get_by_role("status")).to_be_visible()
        await look(page, artifacts, "36-site-received")
        await context.close()

        gw.hub_link.restore()
        gw.auth_link.restore()
        await synced(central, gw)

        async def received_centrally() -> bool:
            r = await central.user_call("fulfillment", sup.dispatcher, "GET",
                                        f"/orders/{o['order_id']}")  # fmt: skip
            line = r.json()["lines"][0]
            return (line["received_quantity"], line["rejected_quantity"]) == (200, 100)

        await wait_until(received_centrally, what="the receipt on the central order", timeout=90)
    finally:
        gw.stop()


async def _tab_to(page: Page, selector: str, limit: int = 30) -> None:
    """Press Tab until the element matching the selector has the focus."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"{selector} never got the focus by Tab")


async def test_a_clerk_signs_in_skips_to_the_content_and_receives_with_the_keyboard_only(
    central: Central, browser: Browser, artifacts: Path
) -> None:
    store, clerk, item, _, _ = await _stocked_store(central)
    context = await browser.new_context(locale="en-GB")
    page = await context.new_page()
    await page.goto(f"{central.url('web')}/app/")
    await _tab_to(page, "#username")
    await page.keyboard.type(clerk)
    await _tab_to(page, "#password")
    await page.keyboard.type(USER_PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()

    # The first Tab reaches the skip link; Enter puts the focus on the page's content.
    await page.keyboard.press("Tab")
    assert await page.evaluate("document.activeElement.matches('a.skip')")
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    async def names_known() -> bool:
        await page.goto(f"{central.url('web')}/app/stores/{store}/movements/receive")
        return await page.locator(f"option[value='{item['item_id']}']").count() > 0

    await wait_until(names_known, what="the item offered on the receive form", timeout=60)
    await _tab_to(page, "#item_id")
    await page.keyboard.type(item["code"])  # a list box jumps to the option typed
    assert await page.locator("#item_id").input_value() == item["item_id"]
    await _tab_to(page, "#lot_code")
    await page.keyboard.type("K-1")
    await _tab_to(page, "#quantity")
    await page.keyboard.type("12")
    await _tab_to(page, "button.primary")
    focused = await page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert focused != "none"  # the focus is visible
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("status")).to_contain_text("Receipt recorded")
    await look(page, artifacts, "12-received-by-keyboard")
    await context.close()
