"""How fast, and in how little memory, the import refuses malicious XLSX files ("bombs").

    DATABASE_URL=postgresql://... python bench/import_bombs.py [--keep]

Works in a database of its own (the DATABASE_URL's name + "_bench", created and dropped), so the
register in DATABASE_URL is never touched. It writes, with the default limits (nothing lowered):
  - shared strings 1 GB: a ~2 MB file whose xl/sharedStrings.xml unpacks to 1 GB;
  - 4 million rows: a sheet of 4,000,000 one-cell rows;
  - wide rows: 100 rows of 16,384 cells each;
  - one 100 KB string in 200 cells: shared string 0 is 100,000 characters, used in 200 rows;
  - a text of 500 MB in one cell: one inline cell of 500 MB;
  - a good control file: a register of 10,000 valid rows.
Each is imported (`manage.py import_register FILE --dry-run`) in a child process of its own, so that the
child's peak memory (its ru_maxrss, from os.wait4) is measured alone. Seconds are the child's wall time,
Django's start included (about 2 s); "import" is the ImportRun's own duration. Targets: a bomb is refused
within 10 s, and every child's peak memory is under 300 MB. A child started by vfork (as subprocess does)
counts its parent's peak in its own ru_maxrss, so this process loads no Django (it reads the ImportRun rows
with SQL, and migrates and writes the files in children of their own): its peak is printed, as the floor.
"""

import argparse
import itertools
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from import_register import admin_sql, fresh_bench_database  # noqa: E402

from tests.imports import bombs  # noqa: E402

TARGET_SECONDS, TARGET_MB = 10, 300
# offenders.models.ImportRun, read with SQL: this process does not load Django (see main).
NEWEST_RUN = ("SELECT outcome, rows, report, extract(epoch FROM duration)::float FROM offenders_importrun"
              " WHERE id > %s ORDER BY id DESC LIMIT 1")
FILES = {
    "shared strings 1 GB": "strings.xlsx",
    "4 million rows": "rows.xlsx",
    "wide rows (16,384 cells)": "wide.xlsx",
    "one 100 KB string in 200 cells": "long.xlsx",
    "a text of 500 MB in one cell": "text.xlsx",
    "good control, 10,000 rows": "good.xlsx",
}


def pieces(piece: bytes, total_bytes: int):
    """`piece` again and again, to about `total_bytes`. Not bombs.repeated: write_xlsx joins 10,000 pieces at a
    time, so its 1 MB blocks would hold a 1 GB part whole in memory."""
    return itertools.repeat(piece, total_bytes // len(piece))


def write_bombs(tmp: Path) -> None:
    """Each file streamed into its zip in pieces of a kilobyte or less: none is held whole in memory."""
    header = [bombs.header_row()]
    one_cell = b"<row><c><v>1</v></c></row>"
    wide = (bombs.row(n, (bombs.shared(n, c, 0) for c in range(1, 16_385))) for n in range(2, 102))
    long_cells = (bombs.row(n, [bombs.inline(n, 1, f"R-{n}"), bombs.shared(n, 2, 0)]) for n in range(2, 202))
    huge_cell = [b'<row r="2"><c r="A2" t="inlineStr"><is><t>', *pieces(b"z" * 1024, 500 << 20),
                 b"</t></is></c></row>"]
    contents = {  # file: its rows, and its shared strings
        "strings.xlsx": ([*header, bombs.good_row(2)], pieces(bombs.string_item("x" * 1000), 1 << 30)),
        "rows.xlsx": (itertools.chain(header, itertools.repeat(one_cell, 4_000_000)), None),
        "wide.xlsx": (itertools.chain(header, wide), [bombs.string_item("x")]),
        "long.xlsx": (itertools.chain(header, long_cells), [bombs.string_item("y" * 100_000)]),
        "text.xlsx": ([*header, *huge_cell], None),
        "good.xlsx": (itertools.chain(header, map(bombs.good_row, range(2, 10_002))), None),
    }
    for name, (rows, strings) in contents.items():
        bombs.write_xlsx(tmp / name, rows, strings=strings)


def run_child(path: Path, log: Path) -> tuple[float, float, int]:
    """Import `path` (dry run) in a child process: its wall seconds, peak memory in MB, and exit status."""
    with open(log, "wb") as out:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, str(ROOT / "manage.py"), "import_register", str(path), "--dry-run"],
                                 cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.monotonic() - started
    child.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait for it again
    return seconds, usage.ru_maxrss / 1024, child.returncode


def first_error(report: dict, rows: int) -> str:
    """The run's first error, or its failure, or (when it has neither) the rows it read."""
    errors = report.get("errors")
    return errors[0]["message"] if errors else report.get("failure") or f"{rows:,} rows, no errors"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--write-into", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_into:
        write_bombs(args.write_into)
        return

    url = os.environ["DATABASE_URL"]
    bench_url = fresh_bench_database(url)
    name = urlsplit(bench_url).path.lstrip("/")
    import psycopg

    try:
        with tempfile.TemporaryDirectory() as tmp, psycopg.connect(bench_url, autocommit=True) as conn:
            os.environ["MEDIA_ROOT"] = str(Path(tmp) / "media")  # the children's error lists go here
            # In processes of their own, so that this one stays small (see the docstring).
            subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, check=True)
            started = time.monotonic()
            subprocess.run([sys.executable, __file__, "--write-into", tmp], check=True)
            print(f"generated {len(FILES)} files in {time.monotonic() - started:.1f} s (this process's peak memory:"
                  f" {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB, a floor for the children's);"
                  f" targets: refused within {TARGET_SECONDS} s, peak memory under {TARGET_MB} MB\n")
            print(f"{'file':<32} {'on disk':>9} {'seconds':>8} {'import':>7} {'peak MB':>8}  {'outcome':<8}"
                  " first error")
            missed = []
            for label, file in FILES.items():
                path, log = Path(tmp) / file, Path(tmp) / f"{file}.log"
                last = conn.execute("SELECT coalesce(max(id), 0) FROM offenders_importrun").fetchone()[0]
                seconds, peak, code = run_child(path, log)
                run = conn.execute(NEWEST_RUN, [last]).fetchone()
                outcome, rows, report, took = run or (f"exit {code}", 0, {"failure": "no ImportRun recorded"}, None)
                print(f"{label:<32} {path.stat().st_size / 1024:>6,.0f} KB {seconds:>8.2f}"
                      f" {'-' if took is None else f'{took:.2f}':>7} {peak:>8.0f}  {outcome:<8}"
                      f" {first_error(report, rows)[:150]}", flush=True)
                expected = "dry_run" if label.startswith("good") else "invalid"
                if outcome != expected or (expected == "invalid" and seconds > TARGET_SECONDS) or peak > TARGET_MB:
                    missed.append((label, log.read_text(errors="replace")))
            for label, output in missed:
                print(f"\nMISSED THE TARGET: {label}; the child's output:\n{output[-4000:]}")
            if not missed:
                print("\nall bombs refused within the targets; the control file passed")
    finally:
        if not args.keep:
            admin_sql(url, f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
