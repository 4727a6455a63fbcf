"""Supply lines: which facility supplies a supervisory node for a program."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime
from uuid import UUID

from akiba_fulfillment.domain.errors import DuplicateSupplyLine, InvalidSupplyLine, StaleVersion

DESCRIPTION_MAX = 1000


@dataclass(frozen=True)
class Terms:
    """What an administrator sets on a supply line."""

    supervisory_node_id: UUID
    program_id: UUID
    supplying_facility_id: UUID
    description: str | None = None
    active: bool = True
    # The supplier fulfils the program itself: approval releases the requisition to it at once.
    local_fulfillment: bool = False

    def check(self) -> None:
        """Refuse a blank or overlong description."""
        if self.description is None:
            return
        if not self.description.strip():
            raise InvalidSupplyLine("a description, when given, cannot be blank")
        if len(self.description) > DESCRIPTION_MAX:
            raise InvalidSupplyLine(f"a description has at most {DESCRIPTION_MAX} characters")


@dataclass(frozen=True)
class SupplyLine:
    """A supply line at one version; approval of the program's requisitions ends at its node."""

    supply_line_id: UUID
    supervisory_node_id: UUID
    program_id: UUID
    supplying_facility_id: UUID
    description: str | None
    active: bool
    local_fulfillment: bool
    version: int
    created_at: datetime
    updated_at: datetime

    @classmethod
    def new(cls, supply_line_id: UUID, terms: Terms, at: datetime) -> SupplyLine:
        """A line at version 1."""
        terms.check()
        return cls(supply_line_id, **asdict(terms), version=1, created_at=at, updated_at=at)

    @property
    def terms(self) -> Terms:
        """The fields an administrator sets."""
        return Terms(
            self.supervisory_node_id,
            self.program_id,
            self.supplying_facility_id,
            self.description,
            self.active,
            self.local_fulfillment,
        )

    def check_version(self, seen: int) -> None:
        """Refuse a change made against another version than this one (If-Match)."""
        if seen != self.version:
            raise StaleVersion(
                f"supply line {self.supply_line_id} is at version {self.version}, not {seen}:"
                " read it again"
            )

    def revised(self, terms: Terms, at: datetime) -> SupplyLine:
        """The line with these terms at the next version; itself when nothing changes."""
        if terms == self.terms:
            return self
        terms.check()
        return replace(self, **asdict(terms), version=self.version + 1, updated_at=at)

    def deactivated(self, at: datetime) -> SupplyLine:
        """The line inactive (itself if it is already)."""
        return self.revised(replace(self.terms, active=False), at)

    def clashes_with(self, other: SupplyLine) -> bool:
        """Whether both are active lines of the same node and program."""
        return (
            self.supply_line_id != other.supply_line_id
            and self.active
            and other.active
            and (self.supervisory_node_id, self.program_id)
            == (other.supervisory_node_id, other.program_id)
        )


def check_unique(line: SupplyLine, active: SupplyLine | None) -> None:
    """Refuse a line that would be a second active one of its node and program."""
    if active is not None and line.clashes_with(active):
        raise DuplicateSupplyLine(
            f"node {line.supervisory_node_id} already has an active supply line for program"
            f" {line.program_id}: {active.supply_line_id} (deactivate it first)"
        )
