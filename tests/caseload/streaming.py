"""A PostgreSQL primary and its streaming replica, started for a test in a temporary folder on free ports.

They run from the PostgreSQL that the pgserver wheel carries (the embedded server's), so the test needs nothing
the machine may not have, whichever server the rest of the suite uses. As root, the servers run as pgserver's own
system user, as the embedded server does. The replica is made as a force's DBA would: pg_basebackup of the running
primary with --write-recovery-conf, streaming its WAL.
"""

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg

DATABASE = "caseload"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    folder: Path
    port: int

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def connect(self, **options) -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=DATABASE,
                               autocommit=True, **options)


class Cluster:
    """The programs of the pgserver wheel's PostgreSQL, run as a user PostgreSQL accepts."""

    def __init__(self, root: Path):
        from pgserver._commands import POSTGRES_BIN_PATH

        self.bin, self.root, self.user = POSTGRES_BIN_PATH, root, None
        if os.geteuid() == 0:
            from pgserver.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

            self.user = "pgserver"
            entry = ensure_user_exists(self.user)
            ensure_prefix_permissions(self.bin)
            ensure_folder_permissions(self.bin, 0o055)
            ensure_folder_permissions(self.bin.parent / "lib", 0o044)
            os.chown(root, entry.pw_uid, entry.pw_gid)

    def run(self, program: str, *args: str) -> None:
        subprocess.run([str(self.bin / program), *args], check=True, user=self.user, capture_output=True,
                       timeout=120)

    def start(self, folder: Path, port: int) -> Server:
        self.run("pg_ctl", "-D", str(folder), "-l", str(folder.with_suffix(".log")), "-w", "-t", "60",
                 "-o", f"-p {port} -h 127.0.0.1 -k {self.root} -c fsync=off", "start")
        return Server(folder, port)

    def stop(self, server: Server) -> None:
        with contextlib.suppress(subprocess.SubprocessError):
            self.run("pg_ctl", "-D", str(server.folder), "-m", "immediate", "-w", "stop")


@contextlib.contextmanager
def primary_and_replica() -> Iterator[tuple[Server, Server, Cluster]]:
    root = Path(tempfile.mkdtemp(prefix="caseload-replica-"))
    root.chmod(0o755)
    cluster = Cluster(root)
    started = []
    try:
        cluster.run("initdb", "-D", str(root / "primary"), "--auth=trust", "-U", "postgres", "--encoding=utf8")
        primary = cluster.start(root / "primary", free_port())
        started.append(primary)
        with psycopg.connect(host="127.0.0.1", port=primary.port, user="postgres", dbname="postgres",
                             autocommit=True) as db:
            db.execute(f"CREATE DATABASE {DATABASE}")
        cluster.run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                    "-D", str(root / "replica"), "--write-recovery-conf", "--wal-method=stream", "--checkpoint=fast")
        replica = cluster.start(root / "replica", free_port())
        started.append(replica)
        yield primary, replica, cluster
    finally:
        for server in reversed(started):
            cluster.stop(server)
        shutil.rmtree(root, ignore_errors=True)
