"""Test support that needs the real stack or processes: fixtures, a poller, service processes."""

from akiba_devtools.testing.polling import wait_until
from akiba_devtools.testing.processes import ServiceProcess

__all__ = ["ServiceProcess", "wait_until"]
