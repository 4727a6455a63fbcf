"""The soak reads the hub's own latency histogram from its /metrics text."""

from __future__ import annotations

import math

from bench.soak_figures import bucket_quantile, buckets

PUSH = 'method="POST",route="/sites/{site_id}/events",status="200"'
METRICS = f"""\
# TYPE akiba_http_server_duration_seconds histogram
akiba_http_server_duration_seconds_bucket{{le="0.01",{PUSH}}} 50.0
akiba_http_server_duration_seconds_bucket{{le="0.05",{PUSH}}} 90.0
akiba_http_server_duration_seconds_bucket{{le="+Inf",{PUSH}}} 100.0
akiba_http_server_duration_seconds_bucket{{le="0.01",method="GET",route="/ready",status="200"}} 7.0
akiba_http_server_duration_seconds_bucket{{le="+Inf",method="GET",route="/ready",status="200"}} 7.0
akiba_http_server_duration_seconds_count{{method="GET",route="/ready",status="200"}} 7.0
"""


def test_only_the_matching_series_is_read() -> None:
    found = buckets(METRICS, "akiba_http_server_duration_seconds", route="/sites/{site_id}/events")
    assert found == {0.01: 50.0, 0.05: 90.0, math.inf: 100.0}


def test_a_quantile_is_the_bound_of_the_bucket_that_reaches_it() -> None:
    found = buckets(METRICS, "akiba_http_server_duration_seconds", method="POST")
    assert bucket_quantile(found, 0.5) == 0.01
    assert bucket_quantile(found, 0.9) == 0.05
    assert bucket_quantile(found, 0.99) == math.inf


def test_no_observations_give_zero() -> None:
    assert bucket_quantile({}, 0.99) == 0.0
    assert bucket_quantile(buckets(METRICS, "akiba_other_seconds"), 0.5) == 0.0
