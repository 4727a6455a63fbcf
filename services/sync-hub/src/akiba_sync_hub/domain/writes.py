"""Which site writes the hub lets through: the door check before anything reaches Kafka."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID


class WriteRefused(Exception):
    """A pushed event the hub will not forward; the message is the reason the site is told."""


class DirectoryBehind(Exception):
    """The hub's view of the site is older than the site's own: answer "retry later", not no.

    A site's token is valid (auth signed it), so a site the hub has not heard of, or a record
    older than the one the site recorded under, can only mean auth.sites has not reached the
    hub yet: refusing would turn a moment's lag into a permanent hole in the store's sequence.
    """


@dataclass(frozen=True)
class SiteView:
    """A site as the hub last read it on auth.sites."""

    active: bool
    store_ids: frozenset[UUID]
    version: int


def check_site_write(
    token_site: UUID,
    claimed_site: str | None,
    store_id: UUID,
    recorded_under: int | None,
    view: SiteView | None,
) -> None:
    """The event names the authenticated site, which is active and writes the store.

    `recorded_under` is the version of its own record the site held when it recorded the event
    (the `siteversion` extension); DirectoryBehind when the hub holds an older one, or none.
    `view` is the authenticated site as the hub last read it (None: not read yet).
    """
    if claimed_site is None:
        raise WriteRefused("the event has no siteid")
    if _uuid(claimed_site) != token_site:
        raise WriteRefused(f"siteid {claimed_site} is not the authenticated site {token_site}")
    if view is None:
        raise DirectoryBehind(f"site {token_site} is not known here yet")
    if recorded_under is not None and recorded_under > view.version:
        raise DirectoryBehind(
            f"the site recorded under version {recorded_under} of its record; this hub has"
            f" read version {view.version}"
        )
    if not view.active:
        raise WriteRefused(f"site {token_site} is inactive")
    if store_id not in view.store_ids:
        raise WriteRefused(f"site {token_site} does not manage store {store_id}")


def _uuid(text: str) -> UUID | None:
    try:
        return UUID(text)
    except ValueError:
        return None
