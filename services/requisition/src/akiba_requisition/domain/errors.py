"""What requisition's reference data refuses; the API maps each to one HTTP status.

A stale If-Match is akiba_replenish's StaleVersion (409), the same error requisitions raise.
"""

from __future__ import annotations

from akiba_replenish import StaleVersion

__all__ = [
    "AlreadyInitiated",
    "CannotInitiate",
    "DuplicateReference",
    "InvalidReferenceData",
    "RecordedAtSite",
    "ReferenceDataError",
    "ReferenceNotFound",
    "StaleVersion",
]


class ReferenceDataError(Exception):
    """Base of every reference-data refusal."""


class ReferenceNotFound(ReferenceDataError):
    """No such program, schedule, period, template or setting (404)."""


class DuplicateReference(ReferenceDataError):
    """A code, or the thing a key names, exists already (409)."""


class InvalidReferenceData(ReferenceDataError):
    """The record breaks a rule of its own or of the records it names (422)."""


class AlreadyInitiated(Exception):
    """The facility has a regular requisition for that program and period already (409)."""


class CannotInitiate(Exception):
    """Something the requisition needs is missing: a group, schedule, open period, template or
    approved product, or a store or program not known here (yet) (422)."""


class RecordedAtSite(Exception):
    """A store written at a site has its requisitions' store-side steps taken there, and only
    there: central's API, or another site, gets a refusal (409)."""
