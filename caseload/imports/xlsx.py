"""Reading an XLSX import within its limits (limits.py), each part read once.

openpyxl parses the workbook; this module decides what it may parse, and when:

1. Every part's unpacked size, from the zip's directory, and every sheet and the shared strings read by a
   streaming parser that counts what openpyxl would build from them (xlsx_scan.py). A sheet of four
   million rows is refused after reading its first 1,048,577 rows (4–6 s, bench/import_bombs.py), where
   parsing it whole would take minutes.
2. The shared strings, held compactly (one buffer of UTF-8 and an array of offsets) rather than as a list
   of Python strings, so their memory is about their bytes.
3. The first sheet, parsed once, row by row, each cell measured as it is read.
"""

import datetime as dt
import zipfile
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

import psycopg
from celery.exceptions import SoftTimeLimitExceeded
from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from caseload.imports.limits import MAX_COLUMNS, ReadLimits, cell_too_long, quoted, too_many_rows
from caseload.imports.reading import ImportFileError
from caseload.imports.xlsx_scan import check_parts

STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"


class SharedStrings(Sequence):
    """The workbook's shared strings in one buffer: about a byte of memory for each byte of text, and no more
    than CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB of them."""

    def __init__(self, limit_mb: int):
        self._text, self._ends, self.limit_mb = bytearray(), array("Q"), limit_mb

    def append(self, text: str) -> None:
        self._text += text.encode()
        self._ends.append(len(self._text))
        if len(self._text) + 8 * len(self._ends) > self.limit_mb << 20:
            raise ImportFileError(f"The spreadsheet's shared strings take more than {self.limit_mb:,} MB"
                                  " (CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB): split it, or save it as CSV")

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError(f"the sheet names shared string {index}, which the workbook does not have")
        start = self._ends[index - 1] if index else 0
        return self._text[start:self._ends[index]].decode()


class _Reader(ExcelReader):
    """openpyxl's reader, but the shared strings are read by this module, after the parts' scan, within
    `strings_limit_mb` (set before `read`)."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        self.strings_part = part.PartName[1:] if part is not None else None
        if self.strings_part and self.strings_part not in self.valid_files:
            raise ImportFileError(f"The spreadsheet names shared strings in {self.strings_part}, which it does not"
                                  " have: save the file again from the spreadsheet program")
        self.shared_strings = SharedStrings(self.strings_limit_mb)


class XlsxSource:
    """The first sheet of a workbook that passed the checks, ready to be copied row by row."""

    def __init__(self, path: Path, limits: ReadLimits):
        self.path, self.limits = path, limits
        self._file = open(path, "rb")  # noqa: SIM115 (open while the sheet is read; close() closes it)
        try:
            self.archive = open_archive(path)
            rows = check_parts(self.archive, limits)
            self._reader = _Reader(self._file, read_only=True, data_only=True, keep_links=False)
            self._reader.strings_limit_mb = limits.shared_strings_mb
            try:
                self._reader.read()
                self.sheet = self._reader.wb.worksheets[0]
            except ImportFileError:
                raise
            except Exception:  # openpyxl raises many kinds for a damaged workbook
                raise ImportFileError("The spreadsheet cannot be opened: save it again from the spreadsheet"
                                      " program, or as CSV") from None
            self.sheet.reset_dimensions()  # the declared size may lie; the rows themselves say
            self.rows = rows.get(self.sheet._worksheet_path, 0)
            if self._reader.strings_part:
                read_shared_strings(self.archive, self._reader.strings_part, self._reader.shared_strings)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def _read_header(self) -> list[str]:
        try:
            first = next(self.sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), None)
        except Exception:  # a damaged sheet: openpyxl raises many kinds
            raise ImportFileError("The spreadsheet's first row cannot be read: save the file again from the"
                                  " spreadsheet program, or as CSV", row=1) from None
        header = ["" if c is None else str(c) for c in first or ()]
        while header and not header[-1].strip():
            header.pop()
        if not header:
            raise ImportFileError("The first sheet is empty: its first row must name the columns", row=1)
        return header

    def copy_into(self, cursor, table: str, columns: list[str], progress: Callable[[float], None]) -> None:
        """Stream the sheet's rows into `table`, giving each its spreadsheet row number."""
        wanted = [i for i, c in enumerate(columns) if not c.startswith("extra_")]
        names = ", ".join(["row_no"] + [f'"{columns[i]}"' for i in wanted])
        most_rows, longest = self.limits.sheet_rows(), self.limits.cell_chars
        row_no = 1
        with cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            try:
                for row_no, row in enumerate(
                        self.sheet.iter_rows(min_row=2, max_col=len(columns), values_only=True), start=2):
                    if row_no > most_rows:
                        raise ImportFileError(too_many_rows(most_rows), row=row_no)
                    cells = [cell_text(row[i]) if i < len(row) else None for i in wanted]
                    for i, text in zip(wanted, cells, strict=True):
                        if text is not None and len(text) > longest:
                            raise ImportFileError(cell_too_long(len(text), longest), row=row_no, column=columns[i],
                                                  value=quoted(text))
                    if any(c not in (None, "") for c in cells):
                        copy.write_row([row_no, *cells])
                    if row_no % 10000 == 0:
                        progress(row_no / max(self.rows, 1))
            except (ImportFileError, SoftTimeLimitExceeded, psycopg.Error):
                raise
            except Exception:  # a damaged sheet: openpyxl raises many kinds (their text may quote the file)
                raise ImportFileError("The spreadsheet cannot be read from this row on: save the file again from the"
                                      " spreadsheet program, or as CSV", row=row_no + 1) from None

    def close(self) -> None:
        for closing in (getattr(self, "archive", None), getattr(getattr(self, "_reader", None), "archive", None),
                        self._file):
            if closing is not None:
                closing.close()


def open_archive(path: Path) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFileError("The spreadsheet cannot be opened: it is not a valid XLSX file") from None


def read_shared_strings(archive: zipfile.ZipFile, name: str, strings: SharedStrings) -> None:
    """Fill `strings` from the part, keeping no parsed element once its text is taken."""
    with archive.open(name) as source:
        events = iterparse(source, events=("start", "end"))
        _, root = next(events)
        for event, node in events:
            if event == "end" and node.tag == STRING_TAG:
                strings.append(Text.from_tree(node).content.replace("x005F_", ""))  # as openpyxl reads them
                root.clear()  # openpyxl's reader keeps every emptied element on the root


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
