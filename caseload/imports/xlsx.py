"""Reading an XLSX import within its limits (limits.py), each part read once.

openpyxl parses the workbook; this module decides what it may parse, and when:

1. The zip's directory: each part's unpacked size, before any part is opened (zipfile never unpacks
   more than a part declares, so a declared size is a true bound).
2. The first sheet and the shared strings, scanned as bytes without parsing: the sheet's rows, its cells
   in each row, and the longest text between two tags. A sheet of four million rows is refused in about
   a second, where parsing it would take minutes.
3. The shared strings, held compactly (one buffer of UTF-8 and an array of offsets) rather than as a list
   of Python strings, so their memory is about their bytes.
4. The sheet, parsed once, row by row, each cell measured as it is read.
"""

import datetime as dt
import re
import zipfile
from array import array
from collections.abc import Callable, Sequence
from pathlib import Path

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from caseload.imports.limits import MAX_COLUMNS, ReadLimits, cell_too_long, quoted, too_many_rows
from caseload.imports.reading import ImportFileError

# Parts openpyxl parses whole (workbook, styles, relationships, properties): real ones are kilobytes.
WHOLE_PART_MB = 20
SCAN_CHUNK = 1 << 20
STRING_TAG = f"{{{SHEET_MAIN_NS}}}si"
ROOT_PREFIX = re.compile(rb"<(?:([A-Za-z_][\w.\-]*):)?(?:worksheet|sst)[\s>]")
ROW_NUMBER = re.compile(rb'\sr="(\d+)"')


class SharedStrings(Sequence):
    """The workbook's shared strings in one buffer: about a byte of memory for each byte of text."""

    def __init__(self):
        self._text, self._ends = bytearray(), array("Q")

    def append(self, text: str) -> None:
        self._text += text.encode()
        self._ends.append(len(self._text))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self._ends):
            raise IndexError(f"the sheet names shared string {index}, which the workbook does not have")
        start = self._ends[index - 1] if index else 0
        return self._text[start:self._ends[index]].decode()


class _Reader(ExcelReader):
    """openpyxl's reader, but the shared strings are read by this module, after the sheet's scan."""

    def read_strings(self):
        part = self.package.find(SHARED_STRINGS)
        self.strings_part = part.PartName[1:] if part is not None else None
        self.shared_strings = SharedStrings()


class XlsxSource:
    """The first sheet of a workbook that passed the checks, ready to be copied row by row."""

    def __init__(self, path: Path, limits: ReadLimits):
        self.path, self.limits = path, limits
        self._file = open(path, "rb")  # noqa: SIM115 (open while the sheet is read; close() closes it)
        try:
            self.archive = open_archive(path, limits)
            self._reader = _Reader(self._file, read_only=True, data_only=True, keep_links=False)
            try:
                self._reader.read()
                self.sheet = self._reader.wb.worksheets[0]
            except Exception as error:  # openpyxl raises many kinds for a damaged workbook
                raise ImportFileError(f"The spreadsheet cannot be opened: {error}") from None
            self.sheet.reset_dimensions()  # the declared size may lie; the rows themselves say
            self.rows = scan_part(self.archive, self.sheet._worksheet_path, limits, rows=True)
            if self._reader.strings_part:
                scan_part(self.archive, self._reader.strings_part, limits, rows=False)
                read_shared_strings(self.archive, self._reader.strings_part, self._reader.shared_strings)
            self.header = self._read_header()
        except BaseException:
            self.close()
            raise

    def _read_header(self) -> list[str]:
        first = next(self.sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS + 1, values_only=True), None)
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
            except ImportFileError:
                raise
            except Exception as error:  # a damaged sheet: openpyxl raises many kinds
                raise ImportFileError(f"The spreadsheet cannot be read: {error}", row=row_no + 1) from None

    def close(self) -> None:
        for closing in (getattr(self, "archive", None), getattr(getattr(self, "_reader", None), "archive", None),
                        self._file):
            if closing is not None:
                closing.close()


def open_archive(path: Path, limits: ReadLimits) -> zipfile.ZipFile:
    """The zip, once its directory says that no part unpacks past the limits."""
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile:
        raise ImportFileError("The spreadsheet cannot be opened: it is not a valid XLSX file") from None
    total = 0
    for part in archive.infolist():
        total += part.file_size
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(f"The spreadsheet's part {part.filename} is packed in a way no spreadsheet"
                                  " program uses: save the file again from the spreadsheet program")
        if part.filename.lower().endswith("sharedstrings.xml"):
            limit, setting = limits.shared_strings_mb, " (CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB)"
        elif part.filename.startswith("xl/worksheets/") or not part.filename.endswith((".xml", ".rels")):
            continue
        else:
            limit, setting = WHOLE_PART_MB, ""
        if part.file_size > limit << 20:
            raise ImportFileError(f"The spreadsheet's part {part.filename} unpacks to {mb(part.file_size)};"
                                  f" the most it may unpack to is {limit:,} MB{setting}", value=part.filename)
    if total > limits.unpacked_mb << 20:
        raise ImportFileError(f"The spreadsheet unpacks to {mb(total)}; an import may unpack to at most"
                              f" {limits.unpacked_mb:,} MB (CASELOAD_IMPORT_MAX_UNPACKED_MB): split it, or save"
                              " it as CSV")
    return archive


def mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def scan_part(archive: zipfile.ZipFile, name: str, limits: ReadLimits, *, rows: bool) -> int:
    """Read a part's bytes without parsing them: refuse a text longer than any cell may be and, for a
    sheet, more rows than the limit or more than MAX_COLUMNS cells in a row. Returns the rows counted."""
    # Between two tags lies at most one cell's text, escaped (&amp; is 5 bytes for one character).
    longest = limits.cell_chars * 10 + 4096
    scan = _RowScan(limits.sheet_rows()) if rows else None
    carry = b""
    with archive.open(name) as part:
        while True:
            chunk = part.read(SCAN_CHUNK)
            data = carry + chunk
            cut = data.rfind(b"<") if chunk else len(data)
            segment, carry = data[:max(cut, 0)], data[max(cut, 0):]
            if len(carry) > longest:
                where = f" near row {scan.rows:,}" if scan and scan.rows else ""
                raise ImportFileError(
                    f"The spreadsheet's part {name} holds a text of more than {limits.cell_chars:,} characters"
                    f"{where}; a cell may hold at most {limits.cell_chars:,} (CASELOAD_IMPORT_MAX_CELL_CHARS)",
                    row=scan.rows if scan and scan.rows else None,
                )
            if scan and scan.feed(segment):
                break
            if not chunk:
                break
    return scan.finish() if scan else 0


class _RowScan:
    """Counts a sheet's rows and each row's cells from its bytes, segment by segment (each segment ends
    before a tag, so no tag is ever cut in two)."""

    def __init__(self, most_rows: int):
        self.most_rows, self.rows, self.open_cells, self.open_row = most_rows, 0, 0, b""
        self.row_tag = self.cell_tag = self.end_tag = None

    def feed(self, segment: bytes) -> bool:
        """Count the segment's rows and cells; True once the sheet's data has ended."""
        if self.row_tag is None:
            if not (root := ROOT_PREFIX.search(segment)):
                return False
            prefix = (root.group(1) + b":") if root.group(1) else b""
            self.row_tag = re.compile(b"<" + re.escape(prefix) + rb"row[\s/>]")
            self.cell_tag = re.compile(b"<" + re.escape(prefix) + rb"c[\s/>]")
            self.end_tag = b"</" + prefix + b"sheetData>"
        end = segment.find(self.end_tag)
        if end >= 0:
            segment = segment[:end]
        starts = [m.start() for m in self.row_tag.finditer(segment)]
        self.open_cells += len(self.cell_tag.findall(segment, 0, starts[0] if starts else len(segment)))
        for start, stop in zip(starts, [*starts[1:], len(segment)], strict=True):
            self.check_open_row()
            self.rows += 1
            if self.rows > self.most_rows:
                raise ImportFileError(too_many_rows(self.most_rows), row=self.most_rows + 1)
            # A row can hold more than MAX_COLUMNS cells only if it is longer than MAX_COLUMNS empty cells.
            last = stop == len(segment)
            self.open_cells = (len(self.cell_tag.findall(segment, start, stop))
                               if last or stop - start > 4 * MAX_COLUMNS else 0)
            self.open_row = segment[start:start + 40]
        return end >= 0

    def check_open_row(self) -> None:
        if self.open_cells > MAX_COLUMNS:
            number = ROW_NUMBER.search(self.open_row)
            row = int(number.group(1)) if number else self.rows
            raise ImportFileError(f"Row {row:,} has {self.open_cells:,} cells; a row may have at most {MAX_COLUMNS}:"
                                  " check that it is the right file", row=row)

    def finish(self) -> int:
        self.check_open_row()
        return self.rows


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
