"""The hub's own instruments, on the platform's meter (exported with the rest on /metrics)."""

from __future__ import annotations

from akiba_platform import meter

pushed = meter.create_counter(
    "akiba.sync_hub.push.events", description="Pushed site events, by outcome (accepted, refused)"
)
turned_away = meter.create_counter(
    "akiba.sync_hub.push.turned_away",
    description="Pushes answered 503 at once: the process had its most pushes in flight",
)
push_duration = meter.create_histogram(
    "akiba.sync_hub.push.duration",
    unit="s",
    description="Time from a push's arrival to its answer, Kafka acknowledgements included",
    explicit_bucket_boundaries_advisory=[0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0],
)
sites = meter.create_gauge(
    "akiba.sync_hub.sites", description="Active sites by sync state (never, silent, behind, ok)"
)
