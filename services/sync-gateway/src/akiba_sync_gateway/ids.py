"""How ids and times sit in SQLite: canonical text, '' for "none" inside keys, ISO 8601 UTC."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from uuid import UUID

SQL_PARAMS = 500
"""Ids bound in one statement: SQLite limits a statement's parameters, and a national
catalogue's items pass that limit."""


def id_chunks(ids: Iterable[UUID], size: int = SQL_PARAMS) -> list[list[str]]:
    """Ids as text, in runs short enough for one statement each."""
    text = [str(i) for i in ids]
    return [text[i : i + size] for i in range(0, len(text), size)]


def key(value: UUID | None) -> str:
    """An optional id as a key column ('' for none)."""
    return "" if value is None else str(value)


def opt(value: UUID | None) -> str | None:
    """An optional id as a nullable column."""
    return None if value is None else str(value)


def uuid_or_none(text: str | None) -> UUID | None:
    """Back from `key` or `opt`."""
    return UUID(text) if text else None


def at(moment: datetime) -> str:
    """A moment as sortable text in UTC."""
    return moment.astimezone(UTC).isoformat()


def moment(text: str | None) -> datetime | None:
    """Back from `at`."""
    return datetime.fromisoformat(text) if text else None


def day(text: str | None) -> date | None:
    """A stored date back."""
    return date.fromisoformat(text) if text else None
