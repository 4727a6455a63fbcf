"""Program scope: a right held at a store for some programs covers the items of those programs.

A supervision right is assigned for a program, so a user may hold STOCK_ADJUST at a store for
EPI only; the items they record, count or read there must then belong to EPI. An item that
belongs to no program is covered by any holder of the right at the store: it is nobody's
program's to restrict (general supplies), and requiring an unscoped holder would leave it
with no one, since every supervision assignment names a program.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from uuid import UUID

from akiba_stock.errors import OutOfProgramScope

# The programs a right is held for at a store; None: no limit (an unscoped holder).
ProgramScope = frozenset[UUID] | None


def check_programs(scope: ProgramScope, items: Mapping[UUID, Collection[UUID]]) -> None:
    """Refuse (OutOfProgramScope) an item of programs none of which is in scope."""
    if scope is None:
        return
    for item_id in sorted(items):
        programs = items[item_id]
        if programs and not scope.intersection(programs):
            raise OutOfProgramScope(
                f"item {item_id} belongs to programs your right at this store does not cover"
            )
