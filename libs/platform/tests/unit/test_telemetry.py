"""Trace context travels as a W3C traceparent."""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from akiba_platform.telemetry import context_from, current_traceparent, otlp_url


def test_a_traceparent_names_the_parent_of_spans_started_from_it() -> None:
    tracer = TracerProvider().get_tracer("t")
    tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with tracer.start_as_current_span("child", context=context_from(tp)) as span:
        ctx = span.get_span_context()
        assert format(ctx.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert current_traceparent() == f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-01"


def test_no_traceparent_starts_a_new_trace() -> None:
    tracer = TracerProvider().get_tracer("t")
    with tracer.start_as_current_span("root", context=context_from(None)) as span:
        assert span.parent is None
    assert trace.get_current_span().get_span_context().is_valid is False


def test_the_otlp_collector_base_url_gives_each_signal_its_path() -> None:
    assert otlp_url("http://otel:4318", "metrics") == "http://otel:4318/v1/metrics"
    assert otlp_url("http://otel:4318/", "traces") == "http://otel:4318/v1/traces"


def test_a_whole_traces_url_names_the_same_collector_for_metrics() -> None:
    assert otlp_url("http://otel:4318/v1/traces", "metrics") == "http://otel:4318/v1/metrics"


def test_no_endpoint_leaves_the_urls_to_the_sdks_own_variables() -> None:
    assert otlp_url(None, "metrics") is None
