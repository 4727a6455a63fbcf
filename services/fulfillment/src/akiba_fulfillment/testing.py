"""In-memory fakes of fulfillment's ports, so handlers' logic is tested without PostgreSQL.

The fakes pass the same behaviour suite as the asyncpg adapters
(`tests/integration/test_repository_behaviour.py`).
"""

from __future__ import annotations

from types import TracebackType
from typing import Self
from uuid import UUID

from akiba_fulfillment.adapters.supply_lines import Criteria
from akiba_fulfillment.domain.errors import Conflict, DuplicateSupplyLine
from akiba_fulfillment.domain.supply_lines import SupplyLine
from akiba_fulfillment.uow import FulfillmentUnitOfWork
from akiba_platform import OutboxMessage


class FakeSupplyLineRepository:
    """Supply lines in a dict; the one-active-line rule holds as the unique index keeps it."""

    def __init__(self) -> None:
        self.lines: dict[UUID, SupplyLine] = {}

    async def get(self, supply_line_id: UUID, *, lock: bool = False) -> SupplyLine | None:
        """One line (locks mean nothing in one task)."""
        return self.lines.get(supply_line_id)

    async def active_for(self, node_id: UUID, program_id: UUID) -> SupplyLine | None:
        """The node's active line for the program."""
        criteria = Criteria(node_id, program_id, active=True)
        return next((x for x in self.lines.values() if criteria.matches(x)), None)

    async def add(self, line: SupplyLine) -> None:
        """Insert a new line."""
        if line.supply_line_id in self.lines:
            raise Conflict(f"supply line {line.supply_line_id} exists already")
        self._check(line)
        self.lines[line.supply_line_id] = line

    async def save(self, line: SupplyLine) -> None:
        """Write a line's new state."""
        self._check(line)
        self.lines[line.supply_line_id] = line

    async def page(self, criteria: Criteria, page: int, size: int) -> tuple[list[SupplyLine], int]:
        """Matching lines in creation order (then by id)."""
        found = sorted(
            (x for x in self.lines.values() if criteria.matches(x)),
            key=lambda x: (x.created_at, x.supply_line_id),
        )
        return found[page * size : (page + 1) * size], len(found)

    def _check(self, line: SupplyLine) -> None:
        if any(line.clashes_with(other) for other in self.lines.values()):
            raise DuplicateSupplyLine(f"node {line.supervisory_node_id} has an active line")


class FakeFulfillmentUnitOfWork(FulfillmentUnitOfWork):
    """The unit of work over the fakes: commit keeps the events."""

    def __init__(self) -> None:
        super().__init__(None)
        self.supply_lines = FakeSupplyLineRepository()
        self.published: list[OutboxMessage] = []
        self.committed = False

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._messages.clear()  # what was not committed is rolled back

    async def commit(self) -> None:
        """Keep the queued events as published."""
        self.published += self._messages
        self._messages.clear()
        self.committed = True
