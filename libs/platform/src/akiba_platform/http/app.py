"""The app factory every service's API starts from."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.telemetry import TelemetryConfig
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.middleware import Middleware

from akiba_platform.http.middleware import TelemetryMiddleware
from akiba_platform.http.openapi import install_problem_documentation
from akiba_platform.http.probes import Probe, run_probes
from akiba_platform.http.problems import install_problem_handlers

PUBLIC = {"x-akiba-public": True}

# FastAPI's own OpenTelemetry (on by itself once a provider is installed) would trace and
# measure every request a second time beside TelemetryMiddleware, plus a span for each
# dependency, the endpoint and serialization: about a fifth of a small push's CPU. Ours keeps
# the server span, the request id and akiba_http_server_duration.
_NO_NATIVE_TELEMETRY: TelemetryConfig = {
    "tracing": False,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
    "auto_configure": False,
}


def create_app(
    *,
    title: str,
    routers: Sequence[APIRouter],
    probes: Sequence[Probe] = (),
    errors: dict[type[Exception], int] | None = None,
    lifespan: Any = None,
) -> FastAPI:
    """A FastAPI app with probes, metrics, problem+json errors, tracing and idempotent writes.

    Every write route of `routers` declares the Idempotency-Key header unless it is exempt;
    the app's lifespan gives the key store (`akiba_platform.idempotency.keeping`).
    """
    # Imported here: akiba_platform.idempotency reads tokens through akiba_platform.auth,
    # whose routes import this package's problems.
    from akiba_platform import idempotency

    app = FastAPI(title=title, lifespan=lifespan, telemetry=_NO_NATIVE_TELEMETRY)
    app.state.probes = list(probes)
    install_problem_handlers(app, errors or {})
    install_problem_documentation(app)
    app.add_middleware(TelemetryMiddleware)
    # Appended, so inside telemetry (request ids and spans cover replays and refusals).
    app.user_middleware.append(Middleware(idempotency.IdempotencyMiddleware))
    idempotency.declare(routers)
    app.include_router(_platform_router())
    for router in routers:
        app.include_router(router)
    return app


def _platform_router() -> APIRouter:
    router = APIRouter(tags=["platform"])

    @router.get("/health", openapi_extra=PUBLIC)
    async def health() -> dict[str, str]:
        """The process is alive."""
        return {"status": "ok"}

    @router.get("/ready", openapi_extra=PUBLIC, responses={503: {"description": "Not ready"}})
    async def ready(request: Request) -> JSONResponse:
        """The database and Kafka are reachable (503 with the failing check otherwise)."""
        checks = await run_probes(request.app.state.probes)
        ok = all(v == "ok" for v in checks.values())
        body = {"status": "ready" if ok else "unavailable", "checks": checks}
        return JSONResponse(body, status_code=200 if ok else 503)

    @router.get("/metrics", openapi_extra=PUBLIC, response_class=PlainTextResponse)
    async def prometheus() -> Response:
        """Metrics in Prometheus text format."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
