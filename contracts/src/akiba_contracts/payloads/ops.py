"""Operations' own records: what an operator decided about a dead letter."""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from akiba_contracts.payloads.base import Payload

__all__ = ["DeadLetterAction", "DeadLetterDecided", "PastDecision"]


class DeadLetterAction(StrEnum):
    """What became of a dead letter: re-injected onto its topic, or set aside for good."""

    REPLAYED = "replayed"
    DISCARDED = "discarded"


class PastDecision(BaseModel):
    """An earlier decision about the same dead letter (kept because compaction drops records)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    action: DeadLetterAction
    by: str = Field(min_length=1, max_length=200)
    reason: str | None = Field(None, max_length=4000)
    decided_at: AwareDatetime


class DeadLetterDecided(Payload):
    """An operator replayed or discarded a dead letter; the record carries every earlier one."""

    event_type: ClassVar[str] = "org.akiba.ops.dead-letter.decided.v1"

    dead_letter: str = Field(
        min_length=1, max_length=400, description="`<dlq topic>:<partition>:<offset>`"
    )
    dlq_topic: str = Field(min_length=1, max_length=249)
    partition: int = Field(ge=0)
    offset: int = Field(ge=0)
    original_topic: str | None = Field(None, max_length=249)
    event_id: str | None = Field(None, max_length=200, description="The CloudEvent id, if any")
    action: DeadLetterAction
    by: str = Field(min_length=1, max_length=200, description="Who decided (operator's name)")
    reason: str | None = Field(None, max_length=4000, description="Why (required to discard)")
    decided_at: AwareDatetime
    replayed_to: str | None = Field(
        None, max_length=400, description="Where the replay landed: `<topic>:<partition>:<offset>`"
    )
    previous: list[PastDecision] = Field(default_factory=list, max_length=1000)

    def partition_key(self) -> str:
        """Keyed by dead letter: the latest record per key holds its whole history."""
        return self.dead_letter
