"""The store-side rule every way into a requisition shares: a step needs its right at the
requesting store, for the requisition's program."""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from akiba_contracts.rights import Right


class Forbidden(Exception):
    """The caller lacks the right at the scope the step needs (403)."""


class Rights(Protocol):
    """Who acts, and the rights they hold."""

    actor: str

    def allows(self, right: Right, facility: UUID | None, program: UUID | None) -> bool:
        """Whether the right is held at the facility (for the program, when given)."""
        ...


def at_facility(who: Rights, right: Right, facility: UUID, program: UUID | None) -> None:
    """Refuse unless the right is held at the facility for the program."""
    if not who.allows(right, facility, program):
        raise Forbidden(f"this needs {right} at facility {facility}" + for_program(program))


def for_program(program: UUID | None) -> str:
    """How a refusal names the program it was for."""
    return f" for program {program}" if program else ""
