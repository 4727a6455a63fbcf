"""Domain errors; the API maps each family to one HTTP status."""

from __future__ import annotations


class AuthError(Exception):
    """Base of every auth domain error."""


class NotFound(AuthError):
    """Something named by id does not exist."""


class UserNotFound(NotFound):
    """No user with this id."""


class RoleNotFound(NotFound):
    """No role with this id."""


class AssignmentNotFound(NotFound):
    """No such role assignment for this user."""


class NodeNotFound(NotFound):
    """No supervisory node with this id."""


class GroupNotFound(NotFound):
    """No requisition group with this id."""


class SiteNotFound(NotFound):
    """No site with this id."""


class ClientNotFound(NotFound):
    """No service client with this id."""


class Conflict(AuthError):
    """The change collides with what exists (a duplicate name, code or assignment)."""


class Invalid(AuthError):
    """The change breaks a rule of the model."""


class InvalidRole(Invalid):
    """A role mixes rights of different types, or changes type."""


class InvalidAssignment(Invalid):
    """A role assignment's scope does not fit its role's type."""


class InvalidTree(Invalid):
    """A supervisory node change would make a cycle or name a missing parent."""


class NotPermitted(AuthError):
    """The change would give or take rights its author does not hold, or is their own."""


class GrantError(AuthError):
    """An OAuth grant was refused (RFC 6749 §5.2); `error` is the OAuth error code."""

    error = "invalid_grant"
    status = 400


class InvalidGrant(GrantError):
    """Wrong credentials, or an unusable refresh token: one answer for every cause."""


class InvalidClient(GrantError):
    """Client authentication failed."""

    error = "invalid_client"
    status = 401


class InvalidRequest(GrantError):
    """A parameter is missing or repeated."""

    error = "invalid_request"


class UnsupportedGrantType(GrantError):
    """The grant type is not one we issue tokens for."""

    error = "unsupported_grant_type"


class TooManyAttempts(GrantError):
    """Too many recent failures for this user or address."""

    error = "temporarily_unavailable"
    status = 429

    def __init__(self, retry_after: int) -> None:
        super().__init__("too many failed attempts; retry later")
        self.retry_after = retry_after
