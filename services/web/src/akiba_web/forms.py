"""Reading posted forms: bounded text, numbers and ids, each wrong field named for the page."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

# A pasted page or a stuck key must not travel to the API: forms are small.
MAX_TEXT = 200
MAX_QUANTITY = 10**9


class FormError(Exception):
    """A field the user must correct: its name and the message key saying why."""

    def __init__(self, field: str, key: str) -> None:
        super().__init__(f"{field}: {key}")
        self.field, self.key = field, key


def text(form: Mapping[str, Any], name: str, required: bool = False) -> str | None:
    """A trimmed text field (None when empty)."""
    value = str(form.get(name) or "").strip()
    if "\x00" in value or len(value) > MAX_TEXT:
        raise FormError(name, "form.too_long")
    if not value:
        if required:
            raise FormError(name, "form.required")
        return None
    return value


def quantity(form: Mapping[str, Any], name: str, allow_zero: bool = False) -> int:
    """A whole number of units, positive (or zero when allowed)."""
    raw = text(form, name, required=True) or ""
    try:
        value = int(raw)
    except ValueError:
        raise FormError(name, "form.whole_number") from None
    if value < (0 if allow_zero else 1) or value > MAX_QUANTITY:
        raise FormError(name, "form.quantity_range")
    return value


def day(form: Mapping[str, Any], name: str, required: bool = False) -> date | None:
    """A date from a date input (YYYY-MM-DD)."""
    raw = text(form, name, required)
    if raw is None:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise FormError(name, "form.date") from None


def uuid(form: Mapping[str, Any], name: str, required: bool = False) -> UUID | None:
    """An id chosen from a list."""
    raw = text(form, name, required)
    if raw is None:
        return None
    try:
        return UUID(raw)
    except ValueError:
        raise FormError(name, "form.choose") from None


def stock_line(form: Mapping[str, Any], name: str) -> tuple[UUID, UUID, UUID | None]:
    """A stock line picked from a list: `item:batch:location` (location may be empty)."""
    raw = text(form, name, required=True) or ""
    parts = raw.split(":")
    try:
        item, batch = UUID(parts[0]), UUID(parts[1])
        location = UUID(parts[2]) if len(parts) > 2 and parts[2] else None
    except (ValueError, IndexError):
        raise FormError(name, "form.choose") from None
    return item, batch, location
