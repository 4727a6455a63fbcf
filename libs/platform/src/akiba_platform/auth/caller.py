"""The signed-in caller's rights, for handlers that check a scope only known after a read
(the facility and program of a requisition, the node where it waits)."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import Depends, Request

from akiba_contracts.rights import Right
from akiba_platform.auth.authorizer import Authorizer, Principal


class CallerRights:
    """A principal's rights as the app's authorizer knows them."""

    def __init__(self, authorizer: Authorizer, who: Principal) -> None:
        self._authorizer, self._who = authorizer, who
        self.actor = who.actor

    def allows(self, right: Right, facility: UUID | None, program: UUID | None) -> bool:
        """Whether the right is held at the facility (for the program, when given)."""
        where = None if facility is None else str(facility)
        return self._authorizer.allows(self._who, right, where, str(program) if program else None)

    def facilities(self, right: Right) -> frozenset[UUID] | None:
        """Where the right is held; None means everywhere."""
        return self._authorizer.facilities_of(self._who, right)

    def allows_at_node(self, right: Right, node: UUID, program: UUID) -> bool:
        """Whether the supervision right is held at this very node for the program."""
        return self._authorizer.allows_at_node(self._who, right, node, program)

    def nodes(self, right: Right) -> list[tuple[UUID, UUID]]:
        """The (node, program) pairs the user holds the right at."""
        return self._authorizer.nodes_of(self._who, right)


async def _caller(request: Request) -> CallerRights:
    # The principal a `requires(...)` dependency signed in (async: no worker-thread hop).
    return CallerRights(request.app.state.authorizer, request.state.principal)


Caller = Annotated[CallerRights, Depends(_caller)]
"""A route parameter: the caller's rights (after a `requires(...)` dependency signed them in)."""
