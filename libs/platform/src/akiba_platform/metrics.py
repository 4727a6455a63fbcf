"""The platform's metrics; OpenTelemetry instruments exported in Prometheus format."""

from __future__ import annotations

from akiba_platform.telemetry import meter

http_duration = meter.create_histogram(
    "akiba.http.server.duration",
    unit="s",
    description="HTTP request latency",
    explicit_bucket_boundaries_advisory=[
        0.001,
        0.0025,
        0.005,
        0.01,
        0.025,
        0.05,
        0.1,
        0.25,
        0.5,
        1.0,
        2.5,
        5.0,
        10.0,
    ],
)
consumer_lag = meter.create_gauge(
    "akiba.consumer.lag", description="Messages between a partition's end and what was applied"
)
consumed = meter.create_counter("akiba.consumer.applied", description="Events applied")
duplicates = meter.create_counter("akiba.consumer.duplicates", description="Redeliveries skipped")
dead_letters = meter.create_counter(
    "akiba.consumer.dead_letters", description="Messages sent to a dead-letter topic"
)
outbox_backlog = meter.create_gauge(
    "akiba.outbox.backlog", description="Outbox rows waiting to be published"
)
outbox_oldest = meter.create_gauge(
    "akiba.outbox.oldest_age",
    unit="s",
    description="How long the oldest waiting outbox row has waited",
)
published = meter.create_counter("akiba.outbox.published", description="Events published")
