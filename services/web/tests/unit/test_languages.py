"""Every language says everything English says; every key the pages use exists."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path

from akiba_contracts.payloads.alerts import AlertKind
from akiba_stock.ledger import LedgerKind
from akiba_web import work
from akiba_web.i18n import Catalogues, remember, remembered

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "akiba_web"
CATALOGUES = Catalogues()


def _used_keys() -> set[str]:
    """Literal keys in templates (`t("…")`) and in the code (`"x.y"` given to a page)."""
    found: set[str] = set()
    for f in (PACKAGE / "templates").glob("*.html"):
        found |= set(re.findall(r"""t\(\s*["']([a-z_]+\.[a-z0-9_]+)["']\s*[,)]""", f.read_text()))
    for f in PACKAGE.rglob("*.py"):
        found |= set(
            re.findall(
                r"""["']((?:signin|error|work|order|ship|pod)\.[a-z0-9_]+)["']""", f.read_text()
            )
        )
    found -= {"error.html", "order.html"}  # templates' names, not keys
    return found


def test_every_language_has_exactly_the_english_keys() -> None:
    english = set(CATALOGUES.messages["en"])
    for code, messages in CATALOGUES.messages.items():
        assert set(messages) == english, code


def test_every_key_the_pages_name_is_in_the_english_catalogue() -> None:
    missing = _used_keys() - set(CATALOGUES.messages["en"])
    assert not missing


def test_every_alert_kind_movement_and_waiting_work_has_a_label() -> None:
    en = CATALOGUES.messages["en"]
    assert all(f"alert.{k.value}" in en for k in AlertKind)
    assert all(f"movement.{k.value}" in en for k in LedgerKind)
    assert all(k.key in en for k in work.KINDS)


def test_placeholders_are_the_same_in_every_language() -> None:
    for key, text in CATALOGUES.messages["en"].items():
        names = set(re.findall(r"{(\w+)}", text))
        for code, messages in CATALOGUES.messages.items():
            assert set(re.findall(r"{(\w+)}", messages[key])) == names, (code, key)


def test_the_cookie_choice_wins_then_the_browser_preference_then_english() -> None:
    assert CATALOGUES.choose("fr", "en-GB") == "fr"
    assert CATALOGUES.choose(None, "de-DE,fr-CA;q=0.8,en;q=0.5") == "fr"
    assert CATALOGUES.choose("xx", "de") == "en"
    assert CATALOGUES.choose(None, "fr;q=bad") == "en"


def test_numbers_and_dates_follow_the_language() -> None:
    fr, en = CATALOGUES.translator("fr"), CATALOGUES.translator("en")
    assert en.number(1234567) == "1,234,567"
    assert fr.number(1234567).replace("\u202f", " ") == "1 234 567"
    assert fr.number("12.5", 1) == "12,5" and en.number(Decimal("12.5"), 1) == "12.5"
    assert en.date(date(2031, 6, 30)) == "Jun 30, 2031"
    assert fr.date("2031-06-30") == "30 juin 2031"
    assert en.number(None) == "" and fr.date(None) == ""


def test_a_message_fills_its_placeholders_and_an_unknown_key_shows_itself() -> None:
    fr = CATALOGUES.translator("fr")
    assert fr("pager.of", page=2, pages=5) == "Page 2 sur 5"
    assert fr("no.such_key") == "no.such_key"


def test_each_user_of_a_shared_browser_keeps_their_own_language() -> None:
    cookie = remember(None, "amina", "fr")
    cookie = remember(cookie, "okello", "en")
    assert remembered(cookie, "amina") == "fr"
    assert remembered(cookie, "okello") == "en"
    assert remembered(cookie, None) == "en"  # the sign-in page: the browser's last choice
    assert remembered(cookie, "someone else") == "en"
    cookie = remember(cookie, "amina", "en")
    assert remembered(cookie, "amina") == "en" and cookie.count("amina") == 1


def test_odd_usernames_and_plain_cookies_are_read_safely() -> None:
    assert remembered("fr", "anyone") == "fr"  # a cookie from before, or set by hand
    assert remembered("", "x") is None and remembered(None, None) is None
    cookie = remember(None, "a|b~c", "fr")
    assert remembered(cookie, "a|b~c") == "fr"
    many = None
    for n in range(30):
        many = remember(many, f"user{n}", "fr")
    assert many is not None and many.count("~") == 20
