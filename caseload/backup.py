"""Backup and restore of the whole database (the register, its change history, the read log, imports, flags and
snapshots) with PostgreSQL's own tools: pg_dump's custom format, and pg_restore into a new, empty database. The
tools are the embedded server's where it is installed (a newer pg_dump reads an older server, not the reverse),
else those on PATH."""

import shutil
import subprocess
from pathlib import Path

import psycopg


class BackupError(Exception):
    pass


def tool(name: str) -> str:
    try:
        import pgserver

        bundled = Path(pgserver.__file__).parent / "pginstall" / "bin" / name
        if bundled.exists():
            return str(bundled)
    except ImportError:
        pass
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not installed: install PostgreSQL's client tools (apt-get install "
                          "postgresql-client)")
    return found


def libpq_env(database: dict) -> dict[str, str]:
    """The libpq variables that reach a Django database (settings.DATABASES entry)."""
    options = database.get("OPTIONS", {})  # a socket folder may come as ?host=... (the embedded server's)
    values = {"PGHOST": database.get("HOST") or options.get("host"),
              "PGPORT": database.get("PORT") or options.get("port"), "PGUSER": database.get("USER"),
              "PGPASSWORD": database.get("PASSWORD"), "PGDATABASE": database.get("NAME")}
    return {key: str(value) for key, value in values.items() if value}


def run(command: list[str], database: dict) -> None:
    env = {"PATH": "/usr/bin:/bin", **libpq_env(database)}
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()}")


def backup(database: dict, path: Path) -> None:
    """The whole database into `path` (pg_dump's custom format, compressed)."""
    run([tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={path}"], database)


def connect(database: dict) -> psycopg.Connection:
    keys = {"PGHOST": "host", "PGPORT": "port", "PGUSER": "user", "PGPASSWORD": "password", "PGDATABASE": "dbname"}
    return psycopg.connect(**{keys[key]: value for key, value in libpq_env(database).items()})


def tables_in(database: dict) -> int:
    with connect(database) as connection:
        return connection.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()[0]


def restore(path: Path, database: dict) -> None:
    """A backup into `database`, which must be new and empty: a restore never writes over a register."""
    if not path.is_file():
        raise BackupError(f"{path}: no such backup file")
    if tables_in(database):
        raise BackupError(f"the database {database.get('NAME')!r} is not empty: restore into a new, empty database "
                          "(createdb), then point DATABASE_URL at it")
    run([tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
         f"--dbname={database.get('NAME')}", str(path)], database)
