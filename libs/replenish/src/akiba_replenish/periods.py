"""Which period a facility may requisition next for a program."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from akiba_replenish.status import RequisitionStatus


@dataclass(frozen=True)
class Period:
    """A processing period of a schedule."""

    period_id: UUID
    start: date
    end: date
    months: int


def next_regular(
    periods: Iterable[Period], requisitioned: Mapping[UUID, RequisitionStatus], today: date
) -> Period | None:
    """The oldest begun period still to requisition, or whose requisition is not yet authorized.

    `requisitioned` holds the status of the facility's regular requisition of each period.
    A period is done once its requisition is authorized (or later) or skipped; the first one
    not done is the only one open, so an unauthorized earlier requisition blocks the next.
    """
    for period in sorted(periods, key=lambda p: p.start):
        if period.start > today:
            return None
        status = requisitioned.get(period.period_id)
        if status is None or status.rank in (1, 2):
            return period
    return None


def current(periods: Iterable[Period], today: date) -> Period | None:
    """The period today falls in: the one an emergency requisition is for."""
    return next((p for p in periods if p.start <= today <= p.end), None)
