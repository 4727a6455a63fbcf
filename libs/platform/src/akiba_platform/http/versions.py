"""Versioned documents over HTTP: `ETag` carries the version, `If-Match` must send it back."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Header, Response

from akiba_platform.http.problems import Problem

_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')


def etag(version: int) -> str:
    """The ETag of a document at this version."""
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    """Say the document's version in the response's ETag."""
    response.headers["ETag"] = etag(version)


def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=40,
            description="The ETag of the version this write was made against (409 if stale).",
        ),
    ] = None,
) -> int:
    """The version the client saw: 428 without If-Match, 400 if it is not one of our tags."""
    if if_match is None:
        raise Problem(428, "Precondition Required", "send If-Match with the document's ETag")
    found = _TAG.match(if_match)
    if found is None:
        raise Problem(400, "Bad Request", f"If-Match {if_match!r} is not a version tag")
    return int(found.group(1))
