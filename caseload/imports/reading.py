"""Reading import files as they arrive: CSV (UTF-8, BOM or not, comma or semicolon) or XLSX, streamed.

CSV bytes go to PostgreSQL's COPY nearly untouched (only a byte-order mark is dropped), so a file of
a million rows is parsed at COPY speed. XLSX is read row by row in openpyxl's read-only mode.
"""

import csv
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20
CHUNK_TAIL = 4096  # kept back from COPY so that blank lines at the very end can be dropped
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """A problem with the file as a whole, or one that stops it being read, at a given row."""

    def __init__(self, message: str, *, row: int | None = None, column: str = "", value: str = ""):
        super().__init__(message)
        self.message, self.row, self.column, self.value = message, row, column, value


def header_key(name: str) -> str:
    """Headers match whatever their case and spacing: "Date of Birth" is date_of_birth."""
    return re.sub(r"[\s\-]+", "_", (name or "").strip().lower())


def is_xlsx(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(4) == XLSX_MAGIC


@dataclass
class CsvSource:
    path: Path
    header: list[str]
    delimiter: str
    start: int  # byte offset of the header line (after any BOM)

    def copy_into(self, cursor, table: str, columns: list[str], progress: Callable[[float], None]) -> None:
        """COPY the file into `table`, whose `columns` line up with the header."""
        names = ", ".join(f'"{c}"' for c in columns)
        delimiter = "';'" if self.delimiter == ";" else "','"
        sql = f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {delimiter})"
        size = max(self.path.stat().st_size, 1)
        with open(self.path, "rb") as f, cursor.copy(sql) as copy:
            f.seek(self.start)
            done, pending = self.start, b""
            while chunk := f.read(CHUNK):
                done += len(chunk)
                # COPY wants one kind of line end; files edited by hand mix them. A CR that ends a
                # chunk waits for the next one, in case its LF is there.
                chunk = pending + chunk
                pending = b"\r" if chunk.endswith(b"\r") else b""
                if pending:
                    chunk = chunk[:-1]
                chunk = chunk.replace(b"\r\n", b"\n")
                copy.write(chunk[:-CHUNK_TAIL] if len(chunk) > CHUNK_TAIL else b"")
                pending = (chunk[-CHUNK_TAIL:] if len(chunk) > CHUNK_TAIL else chunk) + pending
                progress(done / size)
            # Blank lines at the end of a file are not rows.
            copy.write(re.sub(rb"\n(?:[ \t\r]*\n)*[ \t\r]*\Z", b"\n", pending))


@dataclass
class XlsxSource:
    path: Path
    header: list[str]

    def copy_into(self, cursor, table: str, columns: list[str], progress: Callable[[float], None]) -> None:
        """Stream the first sheet into `table`, giving each row its spreadsheet row number."""
        from openpyxl import load_workbook

        wanted = [i for i, c in enumerate(columns) if not c.startswith("extra_")]
        names = ", ".join(["row_no"] + [f'"{columns[i]}"' for i in wanted])
        workbook = load_workbook(self.path, read_only=True, data_only=True)
        try:
            sheet = workbook.worksheets[0]
            total = max(sheet.max_row or 1, 1)
            with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row_no, row in enumerate(sheet.iter_rows(min_row=2, values_only=True), start=2):
                    cells = [cell_text(row[i]) if i < len(row) else None for i in wanted]
                    if any(c not in (None, "") for c in cells):
                        copy.write_row([row_no, *cells])
                    if row_no % 10000 == 0:
                        progress(row_no / total)
        finally:
            workbook.close()


def cell_text(value) -> str | None:
    """An XLSX cell as the text a CSV would hold; date cells become YYYY-MM-DD."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def open_source(path: Path) -> CsvSource | XlsxSource:
    """Read just enough of the file to know its format, delimiter and header."""
    if is_xlsx(path):
        return XlsxSource(path=path, header=xlsx_header(path))
    with open(path, "rb") as f:
        head = f.read(CHUNK)
    start = len(BOM) if head.startswith(BOM) else 0
    first_line = head[start:].split(b"\n", 1)[0].rstrip(b"\r")
    try:
        text = first_line.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            "The file is not UTF-8 text: save it as 'CSV UTF-8' and upload it again", row=1,
            value=repr(first_line[error.start:error.start + 4])[2:-1],
        ) from None
    if not text.strip():
        raise ImportFileError("The file is empty: the first row must name the columns", row=1)
    delimiter = ";" if text.count(";") > text.count(",") else ","
    header = next(csv.reader([text], delimiter=delimiter))
    return CsvSource(path=path, header=header, delimiter=delimiter, start=start)


def xlsx_header(path: Path) -> list[str]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(f"The spreadsheet cannot be opened: {error}") from None
    try:
        first = next(workbook.worksheets[0].iter_rows(max_row=1, values_only=True), None)
    finally:
        workbook.close()
    if not first or not any(first):
        raise ImportFileError("The first sheet is empty: its first row must name the columns", row=1)
    return ["" if c is None else str(c) for c in first]
