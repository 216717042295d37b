"""How fast the register import is, next to a bare COPY and django-import-export.

    DATABASE_URL=postgresql://... python bench/import_register.py [--rows 1000000] [--slice 20000] [--keep]
        [--statements MS | --explain MS]

Works in a database of its own (the DATABASE_URL's name + "_bench", created and dropped), so the
register in DATABASE_URL is never touched. It generates a register of --rows rows (with officers),
then in the same run prints, in rows per second:
  - caseload's import_register: validate + apply, first load (creates), again (unchanged), and again with
    one row in a hundred changed (its tier);
  - a bare COPY of the same file into a table of text columns (the floor);
  - django-import-export 4.x in bulk mode (batch 1,000) on the first --slice rows
    (pip install 'caseload[bench]'). It writes offenders only, not their visits or assessments.
Peak memory is the Python process's and the PostgreSQL backend's high-water mark. django-import-export
runs first, into the empty register, as caseload's first load does.
"""

import argparse
import csv
import datetime as dt
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

TIERS = ["low", "Medium", "high", "Very High"]
TIER_WEIGHTS = [50, 30, 18, 2]
SURNAMES = ["Smith", "Jones", "Taylor", "Brown", "Williams", "Nowak", "Müller", "García", "Ó Súilleabháin", "Patel"]
FORENAMES = ["James", "John", "Łukasz", "Ciarán", "José", "Mohammed", "Daniel", "Karen", "Tracey", "Gary"]
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "The Green", "Park Avenue"]


def generate(directory: Path, rows: int, officers: int) -> tuple[Path, Path]:
    """An officers file and a register of `rows` offenders, all valid, in the formats of docs/imports.md."""
    rng = random.Random(2017)
    officers_csv, register_csv = directory / "officers.csv", directory / "register.csv"
    with open(officers_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["staff_id", "name", "team", "fte"])
        for n in range(1, officers + 1):
            writer.writerow([f"BM{n:05d}", f"Officer {n}", f"Team {n % 40}", "1.0" if n % 7 else "0.5"])
    # As of the day it is imported, as a register extract is: its visits as late as a register's are, not all of
    # them years overdue (which would make the flag run after the load raise two flags per offender).
    today = dt.date.today()
    with open(register_csv, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["reference", "surname", "forenames", "date_of_birth", "risk_tier", "officer", "status",
                         "registered_on", "mappa_category", "mappa_level", "address", "postcode", "reactive",
                         "last_visit_on", "next_visit_due", "last_assessed_on", "assessment_tool"])
        for n in range(1, rows + 1):
            born = today - dt.timedelta(days=rng.randint(18 * 365, 80 * 365))
            registered = today - dt.timedelta(days=rng.randint(30, 3650))
            last = today - dt.timedelta(days=rng.randint(1, 700))
            tier = rng.choices(TIERS, TIER_WEIGHTS)[0]
            writer.writerow([
                f"BEN-{n:07d}", rng.choice(SURNAMES), rng.choice(FORENAMES),
                born.strftime("%d/%m/%Y") if n % 2 else born.isoformat(), tier, f"BM{rng.randint(1, officers):05d}",
                "community" if n % 20 else "custody", registered.isoformat(), 1, rng.choice((1, 1, 1, 2, 3)),
                f"{rng.randint(1, 300)} {rng.choice(STREETS)}\nTown {n % 500}", f"AB{n % 99} {n % 9}CD", "no",
                last.isoformat(), (last + dt.timedelta(days=365)).isoformat(),
                max(registered, today - dt.timedelta(days=rng.randint(1, 400))).isoformat(), "arms",
            ])
    return officers_csv, register_csv


def one_in_a_hundred_tiers_changed(register_csv: Path, changed_csv: Path) -> Path:
    """The register again, with every hundredth row's tier one step higher (or lower, at the top)."""
    with (open(register_csv, newline="", encoding="utf-8") as src,
          open(changed_csv, "w", newline="", encoding="utf-8") as dst):
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader))
        for n, row in enumerate(reader, start=1):
            if n % 100 == 0:
                step = TIERS.index(row[4]) + 1
                row[4] = TIERS[step] if step < len(TIERS) else TIERS[0]
            writer.writerow(row)
    return changed_csv


def bench_database(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_bench"))


def fresh_bench_database(url: str) -> str:
    """Create the bench's own database (dropping one left over) and point this process's settings at it."""
    bench_url = bench_database(url)
    name = urlsplit(bench_url).path.lstrip("/")
    admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')
    admin_sql(url, f'CREATE DATABASE "{name}"')
    os.environ.update(DATABASE_URL=bench_url, DJANGO_SETTINGS_MODULE="caseload.settings", LOG_LEVEL="WARNING")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    return bench_url


def admin_sql(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def backend_peak_mb(cursor) -> float | None:
    cursor.execute("SELECT pg_backend_pid()")
    try:
        status = Path(f"/proc/{cursor.fetchone()[0]}/status").read_text()
    except OSError:
        return None  # PostgreSQL runs elsewhere
    kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM"))
    return kb / 1024


def backend_cpu_seconds() -> float | None:
    """CPU time of this connection's PostgreSQL backend so far: on a busy machine, wall time stretches and
    this does not (parallel workers and index builds' helpers are not counted)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        try:
            fields = Path(f"/proc/{cursor.fetchone()[0]}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None  # PostgreSQL runs elsewhere
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rate(rows: int, seconds: float) -> str:
    return f"{rows / seconds:>12,.0f} rows/s  ({rows:,} rows in {seconds:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--slice", type=int, default=20_000, help="rows for django-import-export")
    parser.add_argument("--officers", type=int, default=2_000)
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--explain", type=int, metavar="MS",
                        help="print the plan (with trigger times) of every statement slower than MS milliseconds")
    parser.add_argument("--statements", type=int, metavar="MS",
                        help="print the time of every statement slower than MS milliseconds (no plans: the"
                             " timings are as without this option)")
    args = parser.parse_args()

    url = os.environ["DATABASE_URL"]
    bench_url = fresh_bench_database(url)
    name = urlsplit(bench_url).path.lstrip("/")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from caseload.imports.services import import_file
    from visits.models import FlagRun

    call_command("migrate", verbosity=0)
    if args.explain is not None:
        explain_slow_statements(connection, args.explain)
    elif args.statements is not None:
        connection.execute_wrappers.append(time_statements(args.statements, every=True))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.monotonic()
            officers_csv, register_csv = generate(Path(tmp), args.rows, args.officers)
            size_mb = register_csv.stat().st_size / 1048576
            print(f"generated {args.rows:,} register rows ({size_mb:.0f} MB) in {time.monotonic() - started:.1f} s")
            import_file(kind="officers", path=officers_csv)
            # First, while the register is empty (as for our first load): django-import-export looks each
            # row up by reference, which has no plain index, so a full table would make it far slower still.
            compare_import_export(register_csv, Path(tmp) / "slice.csv", args.slice)
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM offenders_offender WHERE reference LIKE 'IE-%'")

            results = {}
            changed_csv = one_in_a_hundred_tiers_changed(register_csv, Path(tmp) / "changed.csv")
            for label, path in (("first load", register_csv), ("again", register_csv), ("1% changed", changed_csv)):
                started, cpu = time.monotonic(), backend_cpu_seconds()
                run = import_file(kind="register", path=path)
                seconds = time.monotonic() - started
                cpu = backend_cpu_seconds() - cpu if cpu is not None else None
                assert run.error_count == 0, run.report["errors"][:5]
                results[label] = (run, seconds)
                print(f"caseload import_register, {label:<10} {rate(run.rows, seconds)}"
                      f"  created {run.created:,} updated {run.updated:,} unchanged {run.unchanged:,}"
                      f"  stages {run.report['seconds']}"
                      + (f"  PostgreSQL CPU {cpu:.1f} s" if cpu is not None else ""))
                if flag_run := FlagRun.objects.filter(started_at__gte=run.started_at).first():
                    print(f"  of which the flag run after it ({flag_run.get_scope_display().lower()}):"
                          f" {(flag_run.finished_at - flag_run.started_at).total_seconds():.2f} s,"
                          f" {flag_run.raised:,} raised, {flag_run.cleared:,} cleared")
            with connection.cursor() as cursor:
                backend = backend_peak_mb(cursor)
                cursor.execute("SELECT count(*) FROM visits_visit")
                visits = cursor.fetchone()[0]
            python_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"  wrote {visits:,} visits; peak memory: Python {python_mb:.0f} MB"
                  + (f", PostgreSQL backend {backend:.0f} MB" if backend else ""))

            with connection.cursor() as cursor:
                with open(register_csv, newline="", encoding="utf-8") as f:
                    columns = len(next(csv.reader(f)))
                cursor.execute("CREATE TEMP TABLE bare (" + ", ".join(f"c{i} text" for i in range(columns)) + ")")
                started = time.monotonic()
                sql = "COPY bare FROM STDIN WITH (FORMAT csv, HEADER true)"
                with open(register_csv, "rb") as f, cursor.copy(sql) as copy:
                    while chunk := f.read(1 << 20):
                        copy.write(chunk)
                print(f"bare COPY into a text table       {rate(args.rows, time.monotonic() - started)}")
                cursor.execute("DROP TABLE bare")
    finally:
        connection.close()
        if not args.keep:
            admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')


def explain_slow_statements(connection, milliseconds: int) -> None:
    """auto_explain in this session, its plans sent to us as notices: where each slow statement spends."""
    connection.ensure_connection()
    connection.connection.add_notice_handler(lambda notice: print(notice.message_primary, flush=True))
    with connection.cursor() as cursor:
        cursor.execute("LOAD 'auto_explain'")
        for name, value in (("log_min_duration", milliseconds), ("log_analyze", "on"), ("log_triggers", "on"),
                            ("log_nested_statements", "on"), ("log_timing", "on")):
            cursor.execute(f"SET auto_explain.{name} = '{value}'")
        cursor.execute("SET client_min_messages = 'log'")
    connection.execute_wrappers.append(time_statements(milliseconds))


def time_statements(milliseconds: int, *, every: bool = False):
    """auto_explain sees only queries: time the rest (index builds, key checks, ANALYZE) here, or `every`
    statement."""
    def wrapper(execute, sql, params, many, context):
        started = time.monotonic()
        try:
            return execute(sql, params, many, context)
        finally:
            took = (time.monotonic() - started) * 1000
            queries = () if every else ("SELECT", "INSERT", "UPDATE", "WITH")
            if took >= milliseconds and not sql.lstrip().upper().startswith(queries):
                print(f"duration: {took:.0f} ms  statement: {sql[:160]}", flush=True)
    return wrapper


def compare_import_export(register_csv: Path, slice_csv: Path, rows: int) -> None:
    """django-import-export's bulk mode on a fresh slice (new references, so it creates like our first load)."""
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        print("django-import-export not installed: pip install 'caseload[bench]'")
        return
    from offenders.models import Offender, Officer, RiskTier

    with (open(register_csv, newline="", encoding="utf-8") as src,
          open(slice_csv, "w", newline="", encoding="utf-8") as dst):
        reader, writer = csv.reader(src), csv.writer(dst)
        writer.writerow(next(reader)[:13])
        for n, row in zip(range(rows), reader, strict=False):
            row[0] = f"IE-{n:07d}"
            row[3] = row[3] if "-" in row[3] else dt.datetime.strptime(row[3], "%d/%m/%Y").date().isoformat()
            row[4] = row[4].lower().replace(" ", "_")
            writer.writerow(row[:12] + [row[12] == "yes"])

    class OffenderResource(resources.ModelResource):
        risk_tier = fields.Field("risk_tier", "risk_tier", widgets.ForeignKeyWidget(RiskTier, "code"))
        officer = fields.Field("officer", "officer", widgets.ForeignKeyWidget(Officer, "staff_id"))

        class Meta:
            model = Offender
            import_id_fields = ("reference",)
            fields = ("reference", "surname", "forenames", "date_of_birth", "risk_tier", "officer", "status",
                      "registered_on", "mappa_category", "mappa_level", "address", "postcode", "reactive")
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            use_transactions = True

    dataset = tablib.Dataset().load(slice_csv.read_text(encoding="utf-8"), format="csv")
    started = time.monotonic()
    result = OffenderResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.monotonic() - started
    assert not result.has_errors() and Offender.objects.filter(reference__startswith="IE-").count() == rows
    print(f"django-import-export bulk (1,000) {rate(rows, seconds)}  offenders only")


if __name__ == "__main__":
    main()
