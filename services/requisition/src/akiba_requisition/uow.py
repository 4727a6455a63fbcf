"""Requisition's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_platform import UnitOfWork
from akiba_requisition.adapters.reference import AsyncpgReferenceRepository, ReferenceRepository


class RequisitionUnitOfWork(UnitOfWork):
    """One transaction over reference data, requisitions, the outbox and the inbox."""

    reference: ReferenceRepository

    def _open(self) -> None:
        self.reference = AsyncpgReferenceRepository(self.conn)
