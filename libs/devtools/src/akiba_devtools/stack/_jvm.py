"""Java and Maven checks, and the Kafka jar cache keyed by the committed pom's hash."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import subprocess
from pathlib import Path

from akiba_devtools.stack.errors import JavaError, MavenFetchError, MavenMissingError

MIN_JAVA = 17
STAMP_NAME = ".pom-sha256"
log = logging.getLogger(__name__)
_VERSION = re.compile(r'version "(\d+)(?:\.(\d+))?')


def java_executable() -> str:
    """`$JAVA_HOME/bin/java` when set, else `java` on PATH."""
    java_home = os.environ.get("JAVA_HOME")
    if java_home and (Path(java_home) / "bin" / "java").is_file():
        return str(Path(java_home) / "bin" / "java")
    found = shutil.which("java")
    if found is None:
        raise JavaError(f"`java` not found: install Java {MIN_JAVA} or newer (or set JAVA_HOME)")
    return found


def parse_java_version(output: str) -> int | None:
    """Major version from `java -version` output: '1.8.0_292' -> 8, '17.0.15' -> 17."""
    match = _VERSION.search(output)
    if match is None:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_java() -> str:
    """Return the java executable, raising JavaError if it is missing or older than 17."""
    java = java_executable()
    result = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    version = parse_java_version(result.stderr + result.stdout)
    if version is None or version < MIN_JAVA:
        found = "unknown version" if version is None else f"Java {version}"
        raise JavaError(f"Kafka needs Java {MIN_JAVA} or newer, but {java} is {found}")
    return java


def pom_hash(pom: Path) -> str:
    """SHA-256 of the pom: the jar cache is rebuilt only when this changes."""
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def jars_are_current(libs: Path, expected_hash: str) -> bool:
    """Tell whether `libs` holds jars fetched from a pom with this hash."""
    stamp = libs / STAMP_NAME
    if not stamp.is_file() or stamp.read_text().strip() != expected_hash:
        return False
    return any(libs.glob("kafka_*.jar"))


def ensure_jars(pom: Path, libs: Path) -> bool:
    """Fetch the broker classpath into `libs` unless cached; True when it had to fetch."""
    digest = pom_hash(pom)
    if jars_are_current(libs, digest):
        return False
    log.info("fetching the Kafka broker jars with Maven (first run or pom changed)")
    staging = libs.with_name(libs.name + ".tmp")
    shutil.rmtree(staging, ignore_errors=True)
    _copy_dependencies(pom, staging)
    (staging / STAMP_NAME).write_text(digest + "\n")
    shutil.rmtree(libs, ignore_errors=True)
    staging.rename(libs)
    return True


def _copy_dependencies(pom: Path, target: Path) -> None:
    mvn = shutil.which("mvn")
    if mvn is None:
        raise MavenMissingError("`mvn` not found: install Maven to fetch the Kafka broker jars")
    goal = "dependency:copy-dependencies"
    command = [mvn, "-q", "-B", "-f", str(pom), goal, f"-DoutputDirectory={target}"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0 or not any(target.glob("kafka_*.jar")):
        lines = (result.stdout + result.stderr).strip().splitlines()
        raise MavenFetchError(
            f"Maven could not fetch the Kafka jars (exit {result.returncode}; pom {pom})",
            "\n".join(lines[-15:]),
        )
