"""Central's `web` process: the pages over HTTP calls to each service, no database of its own."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from starlette.responses import RedirectResponse, Response

from akiba_platform import SiteSpec
from akiba_platform.auth import local_authorizer
from akiba_platform.http import create_app as platform_app
from akiba_platform.http import kafka_probe
from akiba_web.app import create_web
from akiba_web.backend import Backend, Route
from akiba_web.feeds import alerts_follower, reference_follower
from akiba_web.host import Host
from akiba_web.reference import Reference
from akiba_web.render import BASE
from akiba_web.settings import Settings

# `akiba run` starts it after the services, like a site: it only talks to them over HTTP.
WEB_APP = SiteSpec(name="web", module="akiba_web", http_port=8100, env={})


def routes(s: Settings) -> list[Route]:
    """Which service answers which path (first match wins: the hub's route before auth's)."""
    inventory = ("/stores", "/alerts", "/items", "/batches", "/locations", "/adjustment-reasons")
    requisition = ("/requisitions", "/internal-orders", "/customer-requisitions", "/programs")
    fulfillment = (
        "/orders", "/requested-orders", "/shipments", "/inbound-shipments", "/returns",
        "/customer-returns", "/supply-lines",
    )  # fmt: skip
    return [
        Route("/sites/sync-status", s.sync_hub_url),
        Route("/oauth", s.auth_url),
        Route("/users", s.auth_url),
        Route("/sites", s.auth_url),
        *(Route(p, s.inventory_url) for p in inventory),
        *(Route(p, s.requisition_url) for p in requisition),
        *(Route(p, s.fulfillment_url) for p in fulfillment),
    ]


def create_app(settings: Settings) -> FastAPI:
    """The platform's probes and metrics around the pages, served under /app."""
    web = create_web()

    # A line per call to a service would drown the log; the spans keep them.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        bootstrap = settings.kafka_bootstrap_servers
        ref = Reference()
        client = httpx.AsyncClient(timeout=settings.backend_timeout_seconds)
        async with local_authorizer(
            bootstrap, issuer=settings.auth_issuer, audience=settings.auth_audience
        ) as authorizer:
            host = Host(
                name=settings.place_name,
                backend=Backend(client, routes(settings)),
                authorizer=authorizer,
                reference=ref,
                secure_cookies=settings.secure_cookies,
            )
            followers = [
                reference_follower(bootstrap, ref),
                alerts_follower(bootstrap, host.changes),
            ]
            for f in followers:
                await f.start()
            web.state.host = host
            try:
                yield
            finally:
                for f in followers:
                    await f.stop()
                await client.aclose()

    app = platform_app(
        title="Akiba web",
        routers=[],
        probes=[kafka_probe(settings.kafka_bootstrap_servers)],
        lifespan=lifespan,
    )

    @app.get("/", include_in_schema=False)
    async def home() -> Response:
        return RedirectResponse(f"{BASE}/", status_code=307)

    app.mount(BASE, web)
    return app
