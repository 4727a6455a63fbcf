"""Languages: one JSON catalogue per language (adding one is a file), CLDR formats from Babel."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALES = Path(__file__).parent / "locales"
DEFAULT = "en"


class Translator:
    """Messages and formats of one language; a key it lacks falls back to English."""

    def __init__(self, code: str, messages: Mapping[str, str], fallback: Mapping[str, str]):
        self.code = code
        self._messages, self._fallback = messages, fallback
        self._locale = Locale.parse(code)

    def __call__(self, key: str, **values: object) -> str:
        """The message for the key, with `{name}` placeholders filled."""
        text = self._messages.get(key) or self._fallback.get(key) or key
        return text.format(**values) if values else text

    def has(self, key: str) -> bool:
        """Whether the key has a message in this language or in English."""
        return key in self._messages or key in self._fallback

    def number(self, value: int | Decimal | float | str | None, digits: int = 0) -> str:
        """A number in the language's format ("" for none; JSON's decimals come as text)."""
        if value is None or value == "":
            return ""
        if isinstance(value, str):
            value = Decimal(value)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self._locale)

    def date(self, value: date | str | None) -> str:
        """A date in the language's medium format."""
        if value in (None, ""):
            return ""
        d = date.fromisoformat(value) if isinstance(value, str) else value
        return format_date(d, format="medium", locale=self._locale)

    def datetime(self, value: datetime | str | None) -> str:
        """A date and time in the language's short format."""
        if value in (None, ""):
            return ""
        dt = datetime.fromisoformat(value) if isinstance(value, str) else value
        return format_datetime(dt, format="short", locale=self._locale)


class Catalogues:
    """Every language found in the folder, by code."""

    def __init__(self, folder: Path = LOCALES) -> None:
        self.messages: dict[str, dict[str, str]] = {
            p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))
        }
        if DEFAULT not in self.messages:
            raise ValueError(f"no {DEFAULT}.json in {folder}")

    @property
    def languages(self) -> list[tuple[str, str]]:
        """(code, own name) of each language, for the picker."""
        return [(code, m.get("language.name", code)) for code, m in self.messages.items()]

    def choose(self, chosen: str | None, accept_language: str | None) -> str:
        """The user's choice if known, else the browser's first known preference, else English."""
        if chosen in self.messages:
            return str(chosen)
        for code in _preferences(accept_language or ""):
            if code in self.messages:
                return code
        return DEFAULT

    def translator(self, code: str) -> Translator:
        """The translator of a known language (English for an unknown code)."""
        code = code if code in self.messages else DEFAULT
        return Translator(code, self.messages[code], self.messages[DEFAULT])


# The language cookie: the browser's last choice, then each user's own on this browser
# (a tablet is often shared): `fr|amina~en|okello~fr`, usernames percent-encoded.
USERS_KEPT = 20


def remembered(cookie: str | None, username: str | None) -> str | None:
    """The language chosen by this user on this browser, else the browser's last choice."""
    first, *users = (cookie or "").split("|")
    if username is not None:
        mine = quote(username, safe="")
        for entry in users:
            name, _, code = entry.partition("~")
            if name == mine:
                return code
    return first or None


def remember(cookie: str | None, username: str | None, code: str) -> str:
    """The cookie with this choice as the browser's last and, when signed in, the user's own."""
    _, *users = (cookie or "").split("|")
    if username is not None:
        mine = quote(username, safe="")
        others = [e for e in users if e.partition("~")[0] != mine]
        users = [f"{mine}~{code}", *others][:USERS_KEPT]
    return "|".join([code, *users])


def _preferences(header: str) -> list[str]:
    """Accept-Language's language codes, most preferred first (`fr-CA;q=0.8` → `fr`)."""
    ranked = []
    for n, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        m = re.match(r"\s*q=([0-9.]+)", params)
        try:
            q = float(m.group(1)) if m else (0.0 if "q=" in params else 1.0)
        except ValueError:
            q = 0.0  # an unreadable weight: the browser did not mean it
        if tag and q > 0:  # q=0: not acceptable
            ranked.append((-q, n, tag.split("-")[0].lower()))
    return [code for _, _, code in sorted(ranked)]
