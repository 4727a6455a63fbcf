"""OpenTelemetry set-up: traces with configurable exporters, metrics in Prometheus format."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import orjson
from opentelemetry import context, metrics, trace
from opentelemetry.exporter.prometheus import PrometheusMetricReader
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import MetricReader, PeriodicExportingMetricReader
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SimpleSpanProcessor,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from akiba_platform.settings import ServiceSettings

_propagator = TraceContextTextMapPropagator()
_configured = False
_exporting = False


class JsonLinesSpanExporter(SpanExporter):
    """Appends finished spans to a file, one JSON object a line (for tests and field debugging)."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        """Write the spans' ids, names and attributes."""
        with self._path.open("ab") as f:
            for s in spans:
                f.write(orjson.dumps(_span_doc(s)) + b"\n")
        return SpanExportResult.SUCCESS


def _span_doc(s: ReadableSpan) -> dict[str, object]:
    ctx = s.get_span_context()
    assert ctx is not None
    return {
        "name": s.name,
        "trace_id": format(ctx.trace_id, "032x"),
        "span_id": format(ctx.span_id, "016x"),
        "parent_id": format(s.parent.span_id, "016x") if s.parent else None,
        "service": s.resource.attributes.get("service.name"),
        "attributes": dict(s.attributes or {}),
    }


def _exporter(settings: ServiceSettings) -> SpanExporter | None:
    if settings.otel_exporter == "console":
        return ConsoleSpanExporter()
    if settings.otel_exporter == "jsonl":
        return JsonLinesSpanExporter(settings.otel_file or f"{settings.service_name}-spans.jsonl")
    if settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        return OTLPSpanExporter(endpoint=otlp_url(settings.otel_endpoint, "traces"))
    return None


def otlp_url(base: str | None, signal: str) -> str | None:
    """A signal's OTLP/HTTP URL under the collector's base URL; None leaves it to the SDK's
    OTEL_EXPORTER_OTLP_* variables (default http://localhost:4318)."""
    if not base:
        return None
    # A traces URL given whole (as this setting once took) names the same collector.
    return f"{base.rstrip('/').removesuffix('/v1/traces')}/v1/{signal}"


def metric_readers(settings: ServiceSettings) -> list[MetricReader]:
    """Prometheus on /metrics always; with the otlp exporter, pushed to the collector too."""
    readers: list[MetricReader] = [PrometheusMetricReader()]
    if settings.otel_exporter == "otlp":
        from opentelemetry.exporter.otlp.proto.http.metric_exporter import OTLPMetricExporter

        exporter = OTLPMetricExporter(endpoint=otlp_url(settings.otel_endpoint, "metrics"))
        readers.append(PeriodicExportingMetricReader(exporter))
    return readers


def setup_telemetry(settings: ServiceSettings) -> None:
    """Install the process's tracer and meter providers once."""
    global _configured, _exporting
    if _configured:
        return
    resource = Resource.create({"service.name": settings.service_name})
    tracer_provider = TracerProvider(resource=resource)
    exporter = _exporter(settings)
    _exporting = exporter is not None
    if exporter is not None:
        # jsonl is read back by tests right after the fact: export each span as it ends.
        simple = settings.otel_exporter == "jsonl"
        processor = SimpleSpanProcessor(exporter) if simple else BatchSpanProcessor(exporter)
        tracer_provider.add_span_processor(processor)
    trace.set_tracer_provider(tracer_provider)
    metrics.set_meter_provider(
        MeterProvider(resource=resource, metric_readers=metric_readers(settings))
    )
    _configured = True


def telemetry_on() -> bool:
    """Whether this process installed its tracer and meter providers (setup_telemetry)."""
    return _configured


def spans_exported() -> bool:
    """Whether spans started in this process go anywhere (setup_telemetry with an exporter).

    Without an exporter a span is built, sampled and dropped: per-event spans on hot paths ask
    this first, so a process that exports nothing does not pay for them.
    """
    return _exporting


def current_traceparent() -> str | None:
    """The W3C traceparent of the active span, to carry in an event."""
    carrier: dict[str, str] = {}
    _propagator.inject(carrier)
    return carrier.get("traceparent")


def context_from(traceparent: str | None) -> context.Context:
    """A context whose parent is the span a traceparent names."""
    if not traceparent:
        return context.Context()
    return _propagator.extract({"traceparent": traceparent})


tracer = trace.get_tracer("akiba")
meter = metrics.get_meter("akiba")
