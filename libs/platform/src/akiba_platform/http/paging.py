"""Which page of a list a request asks for: `page` from 0, `size` up to 500."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from akiba_contracts.fields import PageNumber, PageSize


@dataclass(frozen=True)
class Paging:
    """Which page of a list to return."""

    page: int
    size: int

    @property
    def offset(self) -> int:
        """Rows before the page."""
        return self.page * self.size


def _paging(
    page: Annotated[PageNumber, Query()] = 0,
    size: Annotated[PageSize, Query()] = 50,
) -> Paging:
    return Paging(page, size)


PageQuery = Annotated[Paging, Depends(_paging)]
"""A route parameter: the page asked for."""
