"""HTTP plumbing shared by every service: app factory, probes, problem+json, telemetry."""

from akiba_platform.http.app import create_app
from akiba_platform.http.probes import Probe
from akiba_platform.http.problems import Problem, problem_response

__all__ = ["Probe", "Problem", "create_app", "problem_response"]
