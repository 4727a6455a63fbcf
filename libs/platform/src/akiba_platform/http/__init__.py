"""HTTP plumbing shared by every service: app factory, probes, problem+json, telemetry."""

from akiba_platform.http.app import PUBLIC, create_app
from akiba_platform.http.asgi import read_body, replaying
from akiba_platform.http.central import central_lifespan
from akiba_platform.http.openapi import oauth_errors
from akiba_platform.http.paging import PageQuery, Paging
from akiba_platform.http.probes import Probe, database_probe, kafka_probe
from akiba_platform.http.problems import Problem, problem_response, title_of
from akiba_platform.http.versions import (
    ExpectedVersion,
    SeenVersion,
    etag,
    expected_version,
    seen_version,
    tag,
)

__all__ = [
    "PUBLIC",
    "ExpectedVersion",
    "PageQuery",
    "Paging",
    "Probe",
    "Problem",
    "SeenVersion",
    "central_lifespan",
    "create_app",
    "database_probe",
    "etag",
    "expected_version",
    "kafka_probe",
    "oauth_errors",
    "problem_response",
    "read_body",
    "replaying",
    "seen_version",
    "tag",
    "title_of",
]
