"""Local authorization: tokens verified from cached keys, rights from a permission read model."""

from akiba_platform.auth.authorizer import Authorizer, Principal
from akiba_platform.auth.caller import Caller, CallerRights
from akiba_platform.auth.feed import AuthFeed, SiteDirectory, local_authorizer
from akiba_platform.auth.keys import KeyRing
from akiba_platform.auth.permissions import PermissionStore
from akiba_platform.auth.routes import (
    CurrentPrincipal,
    ProgramScope,
    requires,
    requires_any,
    requires_site,
)
from akiba_platform.auth.tokens import Claims, InvalidToken, verify

__all__ = [
    "AuthFeed",
    "Authorizer",
    "Caller",
    "CallerRights",
    "Claims",
    "CurrentPrincipal",
    "InvalidToken",
    "KeyRing",
    "PermissionStore",
    "Principal",
    "ProgramScope",
    "SiteDirectory",
    "local_authorizer",
    "requires",
    "requires_any",
    "requires_site",
    "verify",
]
