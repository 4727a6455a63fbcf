"""HTTP models of fulfillment's API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from akiba_contracts.fields import NOTE_PATTERN, text
from akiba_fulfillment.domain.supply_lines import DESCRIPTION_MAX, SupplyLine, Terms

Description = Annotated[str, text(DESCRIPTION_MAX, pattern=NOTE_PATTERN)]


class SupplyLineRequest(BaseModel):
    """A new supply line: which facility supplies a supervisory node for a program."""

    model_config = ConfigDict(extra="forbid")

    supervisory_node_id: UUID = Field(description="A node of auth's supervision tree")
    program_id: UUID
    supplying_facility_id: UUID = Field(description="The store (facility) that supplies it")
    description: Description | None = None
    local_fulfillment: bool = Field(
        False,
        description="The supplier fulfils the program's orders itself: a requisition approved"
        " at the node is released to it at once",
    )

    def terms(self) -> Terms:
        """The line's terms (a new line is active)."""
        return Terms(**self.model_dump())


class UpdateSupplyLineRequest(SupplyLineRequest):
    """Every term of a supply line, replaced (If-Match: the ETag of the version read)."""

    active: bool = True


class SupplyLineResponse(BaseModel):
    """A supply line; `version` is its ETag."""

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
    def of(cls, line: SupplyLine) -> SupplyLineResponse:
        """The response for a line."""
        return cls.model_validate(line, from_attributes=True)
