"""The dependency audit's verdict: vulnerabilities fail, an unanswered source skips loudly."""

from __future__ import annotations

from akiba_devtools.audit import verdict

CLEAN = {"name": "anyio", "version": "4.16.0", "vulns": []}
SKIPPED = {
    "name": "aiokafka",
    "skip_reason": "Dependency not found on PyPI and could not be audited: aiokafka (0.14.0)",
}
VULNERABLE = {
    "name": "urllib3",
    "version": "1.26.0",
    "vulns": [{"id": "PYSEC-2021-108", "fix_versions": ["1.26.5"], "description": "…"}],
}


def test_a_known_vulnerability_fails_the_audit_naming_it_and_its_fix() -> None:
    result = verdict({"dependencies": [CLEAN, VULNERABLE, SKIPPED]})
    assert result.code == 1
    assert "urllib3 1.26.0: PYSEC-2021-108 (fixed in 1.26.5)" in result.text


def test_packages_the_source_could_not_audit_make_a_loud_skip_not_a_pass() -> None:
    result = verdict({"dependencies": [CLEAN, SKIPPED]})
    assert result.code == 0
    assert "DEPENDENCY AUDIT SKIPPED: 1 of 2 locked packages could not be audited" in result.text
    assert "aiokafka (0.14.0)" in result.text


def test_a_fully_audited_lock_without_vulnerabilities_passes() -> None:
    result = verdict({"dependencies": [CLEAN]})
    assert (result.code, result.text) == (
        0,
        "dependency audit: 1 locked packages, no known vulnerabilities",
    )
