"""Reading CSV import files as they arrive: UTF-8, BOM or not, comma or semicolon, streamed.

CSV bytes go to PostgreSQL's COPY nearly untouched (only a byte-order mark is dropped), so a file of
a million rows is parsed at COPY speed. XLSX files are read by xlsx.py.
"""

import csv
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20
CHUNK_TAIL = 4096  # kept back from COPY so that blank lines at the very end can be dropped
XLSX_MAGIC = b"PK\x03\x04"


class ImportFileError(Exception):
    """A problem with the file as a whole, or one that stops it being read, at a given row; `value` is what
    the file held there, quoted as limits.quoted cuts it."""

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

    def close(self) -> None:
        """Nothing to close: the file is opened for each read."""


def open_csv(path: Path) -> CsvSource:
    """Read just enough of the file to know its delimiter and header."""
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
