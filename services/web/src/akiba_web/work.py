"""Work waiting for the user: what each store they act for has in the state they act on."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from akiba_contracts.rights import Right
from akiba_web.backend import ApiError
from akiba_web.host import Host
from akiba_web.session import User

log = logging.getLogger(__name__)
# Store staff act for a handful of stores; past this many a tile counts the first ones only
# (a supervisor's work is approvals, counted at their nodes in one call).
STORES_PER_KIND = 25


@dataclass(frozen=True)
class Kind:
    """One kind of waiting work: the right to do it, and the list that holds it per store."""

    key: str
    right: Right
    path: str
    params: tuple[tuple[str, str], ...]
    link: str
    central_only: bool = False


KINDS = (
    Kind("work.authorize", Right.REQUISITION_AUTHORIZE, "/requisitions",
         (("facility_id", "{store}"), ("status", "SUBMITTED")),
         "/stores/{store}/requisitions?status=SUBMITTED"),
    Kind("work.convert", Right.ORDERS_EDIT, "/requisitions/for-release",
         (("supplying_facility_id", "{store}"),), "/requisitions/approve", central_only=True),
    Kind("work.supply", Right.ORDERS_EDIT, "/customer-requisitions",
         (("supplying_facility_id", "{store}"), ("status", "AUTHORIZED")),
         "/stores/{store}/customer-requisitions?status=AUTHORIZED", central_only=True),
    Kind("work.pick", Right.SHIPMENTS_EDIT, "/shipments",
         (("supplying_facility_id", "{store}"), ("status", "ALLOCATED")),
         "/stores/{store}/shipments", central_only=True),
    Kind("work.receive", Right.PODS_MANAGE, "/inbound-shipments",
         (("receiving_facility_id", "{store}"), ("status", "SHIPPED")),
         "/stores/{store}/inbound"),
    Kind("work.stocktakes", Right.STOCK_INVENTORIES_EDIT, "/stores/{store}/stocktakes",
         (("status", "counting"),), "/stores/{store}/stocktakes"),
)  # fmt: skip


@dataclass(frozen=True)
class Tile:
    """A count of waiting work at one store (or at the user's nodes), with where to do it."""

    key: str
    store_id: UUID | None
    count: int | None  # None: the service did not answer
    link: str


async def waiting(host: Host, user: User) -> list[Tile]:
    """Every non-empty tile: approvals at the user's nodes, then each kind per store."""
    jobs = []
    if host.central and user.may(Right.REQUISITION_APPROVE):
        jobs.append(_count(host, user, "work.approve", None, "/requisitions/for-approval", {}))
    for kind in KINDS:
        if kind.central_only and not host.central:
            continue
        for store in user.stores(kind.right)[:STORES_PER_KIND]:
            params = {k: v.format(store=store) for k, v in kind.params}
            path = kind.path.format(store=store)
            jobs.append(_count(host, user, kind.key, store, path, params, kind.link))
    tiles = await asyncio.gather(*jobs)
    return [t for t in tiles if t.count != 0]


async def _count(
    host: Host,
    user: User,
    key: str,
    store: UUID | None,
    path: str,
    params: dict[str, Any],
    link: str = "/requisitions/approve",
) -> Tile:
    where = link.format(store=store)
    try:
        page = await host.backend.get(path, user.token, **params, size=1)
    except ApiError as e:
        # One service down must not take the dashboard with it: the tile says so instead.
        log.info("work count %s at %s: %s", key, store, e)
        return Tile(key, store, None, where)
    return Tile(key, store, int(page["total"]), where)
