"""Which site writes the hub lets through: the door check before anything reaches Kafka."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID


class WriteRefused(Exception):
    """A pushed event the hub will not forward; the message is the reason the site is told."""


def check_site_write(
    token_site: UUID,
    claimed_site: str | None,
    store_id: UUID,
    site_state: Callable[[UUID], tuple[bool, frozenset[UUID]] | None],
) -> None:
    """The event names the authenticated site, which is active and manages the store."""
    if claimed_site is None:
        raise WriteRefused("the event has no siteid")
    if _uuid(claimed_site) != token_site:
        raise WriteRefused(f"siteid {claimed_site} is not the authenticated site {token_site}")
    state = site_state(token_site)
    if state is None:
        raise WriteRefused(f"site {token_site} is unknown")
    active, stores = state
    if not active:
        raise WriteRefused(f"site {token_site} is inactive")
    if store_id not in stores:
        raise WriteRefused(f"site {token_site} does not manage store {store_id}")


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
