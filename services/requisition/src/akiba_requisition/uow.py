"""Requisition's unit of work: its repositories on the platform's transaction."""

from __future__ import annotations

from akiba_platform import UnitOfWork


class RequisitionUnitOfWork(UnitOfWork):
    """One transaction over reference data, requisitions, the outbox and the inbox."""

    def _open(self) -> None:
        pass
