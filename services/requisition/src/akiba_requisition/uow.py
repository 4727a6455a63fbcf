"""Requisition's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_platform import UnitOfWork
from akiba_requisition.adapters.catalogue import AsyncpgCatalogue
from akiba_requisition.adapters.figures import AsyncpgLedgerFigures, LedgerFiguresReader
from akiba_requisition.adapters.reference import AsyncpgReferenceRepository, ReferenceRepository
from akiba_requisition.adapters.requisitions import AsyncpgRequisitions, RequisitionRepository


class RequisitionUnitOfWork(UnitOfWork):
    """One transaction over reference data, requisitions, the outbox and the inbox."""

    reference: ReferenceRepository
    requisitions: RequisitionRepository
    catalogue: AsyncpgCatalogue
    figures: LedgerFiguresReader

    def _open(self) -> None:
        self.reference = AsyncpgReferenceRepository(self.conn)
        self.requisitions = AsyncpgRequisitions(self.conn)
        self.catalogue = AsyncpgCatalogue(self.conn)
        self.figures = AsyncpgLedgerFigures(self.conn)
