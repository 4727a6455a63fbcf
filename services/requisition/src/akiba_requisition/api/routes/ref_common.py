"""What the reference-data routers share: paging, a read-only repository, versions as ETags."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from typing import Annotated, Any

from fastapi import Depends, Request, Response

from akiba_platform.http import ExpectedVersion, Paging, Problem, tag
from akiba_replenish.templates import InvalidTemplate
from akiba_requisition.adapters.reference import ReferenceRepository, where
from akiba_requisition.domain import reference as ref
from akiba_requisition.handlers import reference as rh
from akiba_requisition.uow import RequisitionUnitOfWork


async def _reader(request: Request) -> AsyncIterator[ReferenceRepository]:
    async with request.app.state.pool.acquire() as conn:
        yield RequisitionUnitOfWork.joining(conn).reference


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
