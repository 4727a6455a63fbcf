"""Akiba's shared platform: what every service builds on.

The names below are its public face; services import them from here (or from the public
subpackages `akiba_platform.auth`, `akiba_platform.http`, `akiba_platform.idempotency`, and
`akiba_platform.testing` in tests). Other modules are the platform's own business.
"""

from akiba_platform import idempotency, kafka
from akiba_platform.consumer import (
    BatchHandler,
    ConsumerLoop,
    Delivery,
    Rejected,
    consumer_loop,
    consumer_role,
)
from akiba_platform.db import Connection, create_pool, open_pool
from akiba_platform.demo import NotADemo, demo_id, require_demo
from akiba_platform.errors import PermanentError, TransientError, is_transient
from akiba_platform.kafka import Record, send_batched
from akiba_platform.logs import configure_logging
from akiba_platform.migrations import migrate
from akiba_platform.outbox import AsyncpgOutbox, OutboxMessage, message_of
from akiba_platform.relay import OutboxRelay, relay_role
from akiba_platform.runtime import Role, api_role, central_service, run_roles, serve_app
from akiba_platform.services import (
    Command,
    Service,
    ServiceSpec,
    SiteSpec,
    event_loop,
    run_async,
    service_main,
)
from akiba_platform.settings import ServiceSettings
from akiba_platform.telemetry import current_traceparent, meter, setup_telemetry
from akiba_platform.uow import UnitOfWork

__all__ = [
    "AsyncpgOutbox",
    "BatchHandler",
    "Command",
    "Connection",
    "ConsumerLoop",
    "Delivery",
    "NotADemo",
    "OutboxMessage",
    "OutboxRelay",
    "PermanentError",
    "Record",
    "Rejected",
    "Role",
    "Service",
    "ServiceSettings",
    "ServiceSpec",
    "SiteSpec",
    "TransientError",
    "UnitOfWork",
    "api_role",
    "central_service",
    "configure_logging",
    "consumer_loop",
    "consumer_role",
    "create_pool",
    "current_traceparent",
    "demo_id",
    "event_loop",
    "idempotency",
    "is_transient",
    "kafka",
    "message_of",
    "meter",
    "migrate",
    "open_pool",
    "relay_role",
    "require_demo",
    "run_async",
    "run_roles",
    "send_batched",
    "serve_app",
    "service_main",
    "setup_telemetry",
]
