"""Bounded field types for the HTTP contracts: every string and number a client sends has a limit.

A field without a bound is a 500 waiting for a fuzzer: PostgreSQL refuses a NUL character in
text, an integer beyond its column's type, an offset beyond int8. These types carry the bound in
the model, so the request is refused with a 422 before it reaches a database and the published
OpenAPI says what is accepted.

Text never holds control characters (C0, DEL, C1), except tab, line feed and carriage return in
multi-line notes. Lone surrogates are refused too (they cannot be encoded as UTF-8).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, WithJsonSchema

__all__ = [
    "INT4_MAX",
    "INT8_MAX",
    "MAX_PAGE",
    "Code",
    "Count",
    "FormText",
    "Int4",
    "LotCode",
    "Name",
    "Note",
    "PageNumber",
    "PageSize",
    "Quantity",
    "Reference",
    "SearchText",
    "Sequence",
    "Text",
    "decimal_schema",
    "text",
]

INT4_MAX = 2**31 - 1
"""PostgreSQL `integer`'s largest value."""
INT8_MAX = 2**63 - 1
"""PostgreSQL `bigint`'s (and SQLite INTEGER's) largest value."""
MAX_PAGE = 10_000_000
"""The last page a list serves: with 500 a page, an offset of 5e9 rows, far inside bigint."""
MAX_QUANTITY = 1_000_000_000
"""The most dispensing units one line moves (a ledger quantity is a PostgreSQL integer)."""

# Character classes shared by the patterns; each pattern is valid in ECMA-262 (what OpenAPI
# readers use), Python `re` (what fuzzers generate from) and Rust `regex` (what pydantic checks).
_CONTROL = r"\x00-\x1f\x7f-\x9f"
_LINE = rf"[^{_CONTROL}]"
_EDGE = rf"[^\s{_CONTROL}]"
_MULTILINE = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"

TEXT_PATTERN = rf"^{_LINE}*$"
"""One line of text: no control characters."""
TRIMMED_PATTERN = rf"^{_EDGE}(?:{_LINE}*{_EDGE})?$"
"""One line, not empty, no leading or trailing white space."""
CODE_PATTERN = rf"^{_EDGE}+$"
"""A code: no white space or control characters at all."""
NOTE_PATTERN = rf"^{_MULTILINE}*$"
"""Free text over several lines: tab, line feed and carriage return are the only controls."""


def text(max_length: int, *, min_length: int = 0, pattern: str = TEXT_PATTERN) -> Any:
    """A `Field` for a string of at most `max_length` characters matching `pattern`."""
    return Field(min_length=min_length, max_length=max_length, pattern=pattern)


Text = Annotated[str, text(200)]
"""One line of text, up to 200 characters (empty allowed)."""
Name = Annotated[str, text(200, min_length=1, pattern=TRIMMED_PATTERN)]
"""A display name: 1 to 200 characters, trimmed, one line."""
Code = Annotated[str, text(64, min_length=1, pattern=CODE_PATTERN)]
"""A code: 1 to 64 characters, no white space."""
LotCode = Annotated[str, text(64, min_length=1, pattern=TRIMMED_PATTERN)]
"""A batch's lot code as printed on the pack: 1 to 64 characters, trimmed, one line."""
Reference = Annotated[str, text(200)]
"""A document's free reference (a delivery note number, a source, a destination)."""
Note = Annotated[str, text(1000, pattern=NOTE_PATTERN)]
"""A description or address: up to 1000 characters over several lines."""
SearchText = Annotated[str, text(200)]
"""What a list's `q` parameter searches for."""
FormText = Annotated[str, text(1024)]
"""A field of a sign-in form (a username, a password, an opaque token)."""

Int4 = Annotated[int, Field(ge=-INT4_MAX - 1, le=INT4_MAX)]
"""Any value a PostgreSQL `integer` column holds."""
Quantity = Annotated[int, Field(gt=0, le=MAX_QUANTITY)]
"""Dispensing units moved by one line: positive, at most a billion."""
Count = Annotated[int, Field(ge=0, le=MAX_QUANTITY)]
"""Dispensing units counted on a shelf: zero or more, at most a billion."""
Sequence = Annotated[int, Field(ge=0, le=INT8_MAX)]
"""A position or cursor stored as `bigint`."""
PageNumber = Annotated[int, Field(ge=0, le=MAX_PAGE, description="Page number, from 0")]
"""Which page of a list, from 0."""
PageSize = Annotated[int, Field(ge=1, le=500, description="Records per page")]
"""How many records a page holds."""


def decimal_schema(digits: int, places: int, description: str) -> WithJsonSchema:
    """What a client may send for numeric(digits, places), 0 or more: a number or a string."""
    largest = float(10 ** (digits - places)) - 10.0**-places
    number = {"type": "number", "minimum": 0, "maximum": largest}
    string = {"type": "string", "maxLength": digits + 2, "pattern": r"^[0-9]+(\.[0-9]+)?$"}
    schema = {"anyOf": [number, string], "description": description}
    return WithJsonSchema(schema, mode="validation")
