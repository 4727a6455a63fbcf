"""Quantiles from a Prometheus histogram as a service exports it on /metrics."""

from __future__ import annotations

import re

_LINE = re.compile(r"^(?P<name>[a-z_]+)_bucket\{(?P<labels>.*)\} (?P<value>\S+)$")
_LABEL = re.compile(r'(\w+)="([^"]*)"')


def buckets(text: str, name: str, **match: str) -> dict[float, float]:
    """Cumulative counts by upper bound of the histogram's series whose labels match, summed."""
    out: dict[float, float] = {}
    for line in text.splitlines():
        m = _LINE.match(line)
        if m is None or m["name"] != name:
            continue
        labels = dict(_LABEL.findall(m["labels"]))
        if any(labels.get(k) != v for k, v in match.items()):
            continue
        le = float(labels["le"])  # "+Inf" reads as inf
        out[le] = out.get(le, 0.0) + float(m["value"])
    return out


def bucket_quantile(cumulative: dict[float, float], q: float) -> float:
    """The upper bound of the bucket holding the q-quantile (inf past the last; 0 if empty)."""
    bounds = sorted(cumulative)
    total = cumulative[bounds[-1]] if bounds else 0.0
    if total == 0:
        return 0.0
    for le in bounds:
        if cumulative[le] >= q * total:
            return le
    return float("inf")
