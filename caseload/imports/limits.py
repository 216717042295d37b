"""The limits every import file is read within, checked while it is read, before memory or time can grow.

Each is a setting (README: Configuration) and each refusal names the limit, the setting and where in the
file it was passed. A file within every limit is read in bounded memory; a file past one is refused in
seconds, before the import takes its lock.
"""

from dataclasses import dataclass

from django.conf import settings

# A header may name each known column once, with room for a spreadsheet's extra ones; a data row of an XLSX
# sheet may hold as many cells. PostgreSQL's own limit is 1,600 columns to a table.
MAX_COLUMNS = 200
# An XLSX sheet holds at most this many rows: a sheet that has more was not made by a spreadsheet.
SHEET_ROWS = 1_048_576


@dataclass(frozen=True)
class ReadLimits:
    rows: int
    cell_chars: int
    unpacked_mb: int
    shared_strings_mb: int

    @classmethod
    def from_settings(cls) -> "ReadLimits":
        return cls(
            rows=settings.CASELOAD_IMPORT_MAX_ROWS,
            cell_chars=settings.CASELOAD_IMPORT_MAX_CELL_CHARS,
            unpacked_mb=settings.CASELOAD_IMPORT_MAX_UNPACKED_MB,
            shared_strings_mb=settings.CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB,
        )

    def sheet_rows(self) -> int:
        return min(self.rows, SHEET_ROWS)


# A value quoted in an error is cut to its first QUOTED_AT_MOST characters, and says so: one long cell repeated
# must not swell the report, the pages that show it and the error list.
QUOTED_AT_MOST = 200
QUOTED = (f"CASE WHEN length({{0}}) > {QUOTED_AT_MOST} THEN left({{0}}, {QUOTED_AT_MOST})"
          f" || '… (' || length({{0}}) || ' characters)' ELSE {{0}} END")


def quoted(value: str) -> str:
    """QUOTED, in Python."""
    if len(value) <= QUOTED_AT_MOST:
        return value
    return f"{value[:QUOTED_AT_MOST]}… ({len(value)} characters)"


def too_many_rows(limit: int) -> str:
    setting = "" if limit == SHEET_ROWS else " (CASELOAD_IMPORT_MAX_ROWS)"
    return (f"The file has more than {limit:,} rows, the most an import may hold{setting}: split it, or ask"
            " for the limit to be raised")


def cell_too_long(length: int, limit: int) -> str:
    return (f"The cell holds {length:,} characters; a cell may hold at most {limit:,}"
            " (CASELOAD_IMPORT_MAX_CELL_CHARS): check that the file is the right one")
