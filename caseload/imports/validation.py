"""Set-based checks over the typed staging rows, giving (row, column, value, message) errors."""

import csv
from pathlib import Path

from caseload.dashboards.exports import FORMULA_SAFE, FORMULA_START
from caseload.imports.columns import Check, Column, literal, text_of, value_of
from caseload.imports.limits import QUOTED
from caseload.imports.staging import ROWS

ERRORS = "import_errors"
REPORTED_ERRORS = 200  # the report keeps this many; the downloadable list keeps them all


def column_checks(columns: list[Column], present: set[str]) -> list[Check]:
    """The checks every column gets from its spec: required, readable, not too long, in range."""
    checks = []
    for column in columns:
        if column.name not in present:
            continue
        text, value = text_of(column.name), value_of(column.name)
        if column.required:
            checks.append(Check(column.name, f"{text} IS NULL", literal("is required")))
        if column.kind != "text":
            checks.append(Check(column.name, f"{text} IS NOT NULL AND {value} IS NULL", literal(column.problem())))
        if column.max_length:
            checks.append(Check(
                # octet_length first: only a cell of more bytes than that can have more characters.
                column.name, f"octet_length({text}) > {column.max_length} AND length({text}) > {column.max_length}",
                literal(f"is longer than {column.max_length} characters"),
            ))
        if column.minimum is not None or column.maximum is not None:
            low = "" if column.minimum is None else f"{value} < {column.minimum}"
            high = "" if column.maximum is None else f"{value} > {column.maximum}"
            bounds = " OR ".join(b for b in (low, high) if b)
            if column.minimum is not None and column.maximum is not None:
                words = f"must be between {column.minimum:g} and {column.maximum:g}"
            elif column.minimum is not None:
                words = f"must be at least {column.minimum:g}"
            else:
                words = f"must be at most {column.maximum:g}"
            checks.append(Check(column.name, bounds, literal(words)))
    return checks


def find_errors(cursor, checks: list[Check]) -> int:
    """Run every check in one pass over the staging rows; return how many errors there are."""
    cursor.execute(
        f"CREATE TEMP TABLE {ERRORS} (row_no bigint, column_name text, value text, message text) ON COMMIT DROP"
    )
    if not checks:
        return 0
    conditions = [f"coalesce(({c.condition}), false)" for c in checks]
    values = ", ".join(
        f"({literal(c.column)}, s.{text_of(c.column)}, {c.message}, {condition})"
        for c, condition in zip(checks, conditions, strict=True)
    )
    cursor.execute(
        f"INSERT INTO {ERRORS} SELECT s.row_no, e.column_name, {QUOTED.format('e.value')}, e.message FROM {ROWS} s"
        f" CROSS JOIN LATERAL (VALUES {values}) e(column_name, value, message, failed)"
        f" WHERE e.failed AND ({' OR '.join(conditions)})"
    )
    return cursor.rowcount


def add_error(cursor, *, row: int | None, column: str, value: str, message: str) -> None:
    """One error whose value is quoted already (limits.quoted)."""
    cursor.execute(f"INSERT INTO {ERRORS} VALUES (%s, %s, %s, %s)", [row, column, value, message])


def first_errors(cursor) -> list[dict]:
    cursor.execute(
        f"SELECT row_no, column_name, value, message FROM {ERRORS} ORDER BY row_no NULLS FIRST, column_name"
        f" LIMIT {REPORTED_ERRORS}"
    )
    return [{"row": r, "column": c, "value": v or "", "message": m} for r, c, v, m in cursor.fetchall()]


def drop_invalid_rows(cursor) -> int:
    """For "import the valid rows only": leave out every row with an error."""
    cursor.execute(f"DELETE FROM {ROWS} s USING (SELECT DISTINCT row_no FROM {ERRORS}) e WHERE s.row_no = e.row_no")
    return cursor.rowcount


def quoted_safe(column: str) -> str:
    """A quoted value as the error list writes it: formula-safe as the dashboards' exports are."""
    return FORMULA_SAFE.format(value=column, pattern="%(formula)s")


def write_error_csv(cursor, path: Path) -> None:
    """Every error, in row order, as a CSV a spreadsheet opens."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        writer = csv.writer(f)
        writer.writerow(["row", "column", "value", "message"])
        # What the file held is quoted back: text that a spreadsheet would run as a formula gets an apostrophe,
        # as in the dashboards' exports.
        cursor.execute(
            f"SELECT row_no, {quoted_safe('column_name')}, {quoted_safe('value')}, message"
            f" FROM {ERRORS} ORDER BY row_no NULLS FIRST, column_name",
            {"formula": FORMULA_START},
        )
        while batch := cursor.fetchmany(5000):
            writer.writerows(batch)
