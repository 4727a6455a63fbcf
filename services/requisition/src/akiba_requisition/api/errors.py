"""Requisition's refusals and their HTTP statuses, in one place."""

from __future__ import annotations

from akiba_replenish import (
    ExplanationRequired,
    NotWaitingHere,
    RequisitionError,
    StaleVersion,
    WrongStatus,
)
from akiba_replenish.templates import InvalidTemplate
from akiba_requisition.domain import errors
from akiba_requisition.domain.access import Forbidden

ERRORS: dict[type[Exception], int] = {
    errors.ReferenceNotFound: 404,
    errors.DuplicateReference: 409,
    errors.InvalidReferenceData: 422,
    errors.AlreadyInitiated: 409,
    errors.CannotInitiate: 422,
    errors.RecordedAtSite: 409,
    InvalidTemplate: 422,
    StaleVersion: 409,
    WrongStatus: 409,
    NotWaitingHere: 403,
    ExplanationRequired: 422,
    RequisitionError: 422,
    Forbidden: 403,
}


def status_of(exc: Exception) -> int | None:
    """The HTTP status of a refusal (None: not one of ours)."""
    for kind in type(exc).__mro__:
        if kind in ERRORS:
            return ERRORS[kind]
    return None
