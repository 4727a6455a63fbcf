"""Prometheus metrics of the gateway; gauges of the backlog are refreshed from SQLite."""

from __future__ import annotations

from typing import Any

from prometheus_client import Counter, Gauge

FORWARDED = Counter("akiba_gateway_events_forwarded_total", "Events the hub accepted")
REFUSED = Counter("akiba_gateway_events_refused_total", "Events the hub refused")
RECORDED = Counter("akiba_gateway_documents_recorded_total", "Documents recorded locally")
LINK_ERRORS = Counter("akiba_gateway_link_errors_total", "Failed calls to central", ["call"])
LOOP_FAILURES = Counter(
    "akiba_gateway_sync_failures_total",
    "Failed rounds of a sync loop, by kind (link, unreadable, too_large, database, unexpected)",
    ["loop", "kind"],
)
LOOP_FAILING = Gauge("akiba_gateway_sync_loop_failing", "1 while a loop's rounds fail", ["loop"])
BLOCKED = Gauge("akiba_gateway_events_blocked", "Pending events central cannot take as they are")
NOT_FORWARDED = Gauge("akiba_gateway_backlog_not_forwarded", "Events not yet on central's Kafka")
NOT_SYNCED = Gauge("akiba_gateway_backlog_not_synced", "Events not yet applied centrally")
OLDEST_AGE = Gauge("akiba_gateway_oldest_unsynced_age_seconds", "Age of the oldest unsynced event")
LAST_PUSH = Gauge("akiba_gateway_last_push_timestamp_seconds", "Last successful push (Unix time)")
LAST_PULL = Gauge("akiba_gateway_last_pull_timestamp_seconds", "Last successful pull (Unix time)")
REFUSALS = Gauge(
    "akiba_gateway_refused_events", "Events refused, by why (conflict: the ledgers differ)",
    ["kind"],
)  # fmt: skip


def publish(status: dict[str, Any]) -> None:
    """Set the gauges from a sync status."""
    NOT_FORWARDED.set(status["not_forwarded"])
    NOT_SYNCED.set(status["not_synced"])
    OLDEST_AGE.set(status["oldest_unsynced_age_seconds"] or 0)
    for kind, count in status["refused_by_kind"].items():
        REFUSALS.labels(kind).set(count)
    for loop, state in status.get("loops", {}).items():
        LOOP_FAILING.labels(loop).set(state["failing_since"] is not None)
    if "blocked" in status:
        BLOCKED.set(len(status["blocked"]))
    for gauge, name in ((LAST_PUSH, "last_push_at"), (LAST_PULL, "last_pull_at")):
        if status[name] is not None:
            gauge.set(status[name].timestamp())
