"""Dependencies routes share: units of work, a reader, paging and If-Match."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Query, Request, Response

from akiba_contracts.fields import PageNumber, PageSize
from akiba_fulfillment.adapters.supply_lines import SupplyLineRepository
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform.http import Problem

# A compressing proxy may weaken the ETag (W/); it still names the same version.
_ETAG = r'^(?:W/)?"[0-9]{1,10}"$'


@dataclass(frozen=True)
class Paging:
    """Which page of a list to return."""

    page: int
    size: int


def _paging(
    page: Annotated[PageNumber, Query()] = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> Paging:
    return Paging(page, size)


def _uow(request: Request) -> FulfillmentUnitOfWork:
    return FulfillmentUnitOfWork(request.app.state.pool)


async def _reader(request: Request) -> AsyncIterator[SupplyLineRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield FulfillmentUnitOfWork.joining(conn).supply_lines


def etag(version: int) -> str:
    """The ETag of a version."""
    return f'"{version}"'


def tag(response: Response, version: int) -> None:
    """Give the answer its ETag."""
    response.headers["ETag"] = etag(version)


def seen_version(if_match: str | None) -> int | None:
    """The version an If-Match names, if one was sent."""
    return None if if_match is None else int(if_match.removeprefix("W/").strip('"'))


def required_version(if_match: str | None) -> int:
    """The version an If-Match names; 428 when none was sent."""
    seen = seen_version(if_match)
    if seen is None:
        raise Problem(
            428,
            "Precondition required",
            "send If-Match with the ETag of the version you read (GET answers it)",
        )
    return seen


Uow = Annotated[FulfillmentUnitOfWork, Depends(_uow)]
Reader = Annotated[SupplyLineRepository, Depends(_reader)]
PageQuery = Annotated[Paging, Depends(_paging)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        max_length=14,
        pattern=_ETAG,
        description='The ETag of the version the change is made against, e.g. "3"',
    ),
]
