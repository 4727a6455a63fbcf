"""What the reference-data routers share: paging, a read-only repository, versions as ETags."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from akiba_contracts.fields import PageNumber, PageSize
from akiba_platform.http import ExpectedVersion, Problem, tag
from akiba_replenish.templates import InvalidTemplate
from akiba_requisition.adapters.reference import ReferenceRepository, where
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh
from akiba_requisition.uow import RequisitionUnitOfWork


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


async def _reader(request: Request) -> AsyncIterator[ReferenceRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield RequisitionUnitOfWork.joining(conn).reference


PageQuery = Annotated[Paging, Depends(_paging)]
Reader = Annotated[ReferenceRepository, Depends(_reader)]
# The version a change is based on: a stale one is 409, none at all 428.
IfMatch = ExpectedVersion


def tagged(response: Response, record: ref.R) -> ref.R:
    """The record, its version set as the response's ETag (what a later If-Match sends)."""
    tag(response, record.version)
    return record


async def paged(repo: Reader, kind: type[ref.R], paging: Paging, **criteria: Any) -> dict[str, Any]:
    """A page of `kind` matching the criteria, shaped as `Page`."""
    records, total = await rh.page(repo, kind, where(kind, **criteria), paging.page, paging.size)
    return {"items": records, "page": paging.page, "size": paging.size, "total": total}


@contextmanager
def template_problems() -> Iterator[None]:
    """An unusable template becomes a 422 listing each of its problems in `errors`."""
    try:
        yield
    except InvalidTemplate as exc:
        errors = [{"loc": ["body", "columns"], "msg": p, "type": "template"} for p in exc.problems]
        raise Problem(422, "Invalid template", str(exc), errors=errors) from None
