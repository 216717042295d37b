"""Checking an XLSX's parts before openpyxl builds anything from them.

openpyxl builds each row of a sheet, every element in it, before handing it over, and keeps every element
it does not know; a part it reads whole it builds whole. So, before it opens the workbook:

- every part's unpacked size is checked from the zip's directory (zipfile never unpacks more than a part
  declares), by the part's content type: the sheets count towards the whole, the shared strings have
  their own limit, and every other XML part is small;
- every sheet and the shared strings are read once by a streaming parser (expat, no tree), which counts
  what openpyxl would build: rows, cells and elements in a row, elements outside rows, and the text of each
  cell or string. A bomb is refused at the element that passes a limit, in bounded memory.
"""

import zipfile
from xml.etree.ElementTree import fromstring  # noqa: S405 (a part of at most WHOLE_PART_MB; no DTD allowed)
from xml.parsers import expat

from openpyxl.xml.constants import SHEET_MAIN_NS

from caseload.imports.limits import MAX_COLUMNS, ReadLimits, too_many_rows
from caseload.imports.reading import ImportFileError

WHOLE_PART_MB = 20  # XML parts openpyxl reads whole (workbook, styles, relationships): real ones are kilobytes
ROW_ELEMENTS = MAX_COLUMNS * 8  # a cell is a few elements (value, formula, inline text and its runs)
OUTSIDE_ROWS = 100_000  # merged cells, hyperlinks, formats, styles: far fewer in any real part
MOST_ELEMENTS = 50_000_000  # a million rows of sixteen cells and their values, and room to spare
MOST_NESTING = 64  # a sheet nests five deep, a style or a theme a dozen
MAX_PENDING = 2 << 20  # bytes of one tag held by the parser
SHEET, STRINGS = "worksheet+xml", "sharedStrings+xml"
ROW, CELL, STRING = f"{SHEET_MAIN_NS} row", f"{SHEET_MAIN_NS} c", f"{SHEET_MAIN_NS} si"
TYPES_NS = "{http://schemas.openxmlformats.org/package/2006/content-types}"
SCAN_CHUNK = 1 << 20


def mb(size: int) -> str:
    return f"{size / (1 << 20):,.0f} MB"


def content_types(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each part's content type, as [Content_Types].xml gives it (by name, else by extension)."""
    try:
        info = archive.getinfo("[Content_Types].xml")
    except KeyError:
        raise ImportFileError("The spreadsheet cannot be opened: it is not a valid XLSX file") from None
    if info.file_size > WHOLE_PART_MB << 20:
        raise ImportFileError(f"The spreadsheet's part {info.filename} unpacks to {mb(info.file_size)}; the most it"
                              f" may unpack to is {WHOLE_PART_MB} MB", value=info.filename)
    text = archive.read(info)
    if b"<!DOCTYPE" in text:
        raise ImportFileError("The spreadsheet's content types declare a DTD, which no spreadsheet program writes")
    root = fromstring(text)  # noqa: S314 (bounded above, no DTD)
    defaults = {e.get("Extension", "").lower(): e.get("ContentType", "") for e in root.iter(f"{TYPES_NS}Default")}
    overrides = {e.get("PartName", "").lstrip("/"): e.get("ContentType", "") for e in root.iter(f"{TYPES_NS}Override")}
    return {name: overrides.get(name) or defaults.get(name.rpartition(".")[2].lower(), "")
            for name in archive.namelist()}


def check_parts(archive: zipfile.ZipFile, limits: ReadLimits) -> dict[str, int]:
    """Refuse a part that unpacks past its limit, or a workbook past the whole's, then scan the sheets and the
    shared strings; the rows of each sheet."""
    types = content_types(archive)
    total = 0
    for part in archive.infolist():
        total += part.file_size
        kind = types.get(part.filename, "")
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ImportFileError(f"The spreadsheet's part {part.filename} is packed in a way no spreadsheet"
                                  " program uses: save the file again from the spreadsheet program")
        if kind.endswith(STRINGS):
            limit, setting = limits.shared_strings_mb, " (CASELOAD_IMPORT_MAX_SHARED_STRINGS_MB)"
        elif kind.endswith(SHEET) or not kind.endswith("xml"):
            continue  # sheets are scanned; parts that are not XML are not read
        else:
            limit, setting = WHOLE_PART_MB, ""
        if part.file_size > limit << 20:
            raise ImportFileError(f"The spreadsheet's part {part.filename} unpacks to {mb(part.file_size)};"
                                  f" the most it may unpack to is {limit:,} MB{setting}", value=part.filename)
    if total > limits.unpacked_mb << 20:
        raise ImportFileError(f"The spreadsheet unpacks to {mb(total)}; an import may unpack to at most"
                              f" {limits.unpacked_mb:,} MB (CASELOAD_IMPORT_MAX_UNPACKED_MB): split it, or save"
                              " it as CSV")
    # Every part that is XML is scanned, whatever its name or declared type: openpyxl finds some parts by
    # their relationships, some by a fixed name, some by a content type that may be declared twice.
    return {part.filename: PartScan(part.filename, limits).read(archive)
            for part in archive.infolist() if looks_like_xml(archive, part)}


def looks_like_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> bool:
    with archive.open(part) as data:
        head = data.read(64)
    return head.startswith((b"\xff\xfe", b"\xfe\xff")) or head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


class PartScan:
    """What openpyxl would build from a part, counted as a streaming parser reads it: rows (and their cells
    and elements), shared strings, every other element, the nesting, and the text of each cell or string."""

    def __init__(self, name: str, limits: ReadLimits):
        self.name, self.limits, self.most_rows = name, limits, limits.sheet_rows()
        self.rows = self.row_number = self.depth = self.cells = self.elements = self.outside = self.text = 0
        self.unit, self.nesting, self.total = "", 0, 0
        self.parser = expat.ParserCreate(namespace_separator=" ")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.EndElementHandler = self.end
        self.parser.CharacterDataHandler = self.characters
        self.parser.CommentHandler = self.comment
        self.parser.ProcessingInstructionHandler = lambda target, data: self.comment(data)
        self.parser.StartDoctypeDeclHandler = self.doctype

    def read(self, archive: zipfile.ZipFile) -> int:
        """Read the part through; the rows it holds."""
        fed = 0
        try:
            with archive.open(self.name) as part:
                while chunk := part.read(SCAN_CHUNK):
                    self.parser.Parse(chunk, False)
                    fed += len(chunk)
                    # A tag (its name, attributes, a comment) is held whole until it ends: none is this long.
                    if fed - max(self.parser.CurrentByteIndex, 0) > MAX_PENDING:
                        raise ImportFileError(f"The spreadsheet's part {self.name} holds a tag longer than"
                                              f" {MAX_PENDING >> 20} MB, which no spreadsheet program writes")
                self.parser.Parse(b"", True)
        except expat.ExpatError as error:
            raise ImportFileError(f"The spreadsheet's part {self.name} is not well-formed XML (line {error.lineno})"
                                  ": save the file again from the spreadsheet program") from None
        return self.rows

    def doctype(self, *args) -> None:
        raise ImportFileError(f"The spreadsheet's part {self.name} declares a DTD, which no spreadsheet program writes")

    def counted(self) -> None:
        self.total += 1
        if self.total > MOST_ELEMENTS:
            raise ImportFileError(f"The spreadsheet's part {self.name} holds more than {MOST_ELEMENTS:,} elements:"
                                  " split the file, or save it as CSV")
        if self.depth:  # inside a row, or a shared string
            self.elements += 1
            if self.elements > ROW_ELEMENTS:
                raise ImportFileError(f"{self.where(capital=True)} holds more than {ROW_ELEMENTS:,} elements, more"
                                      f" than {MAX_COLUMNS} cells could: check that it is the right file",
                                      row=self.row_number or None)
        else:
            self.outside, self.text = self.outside + 1, 0
            if self.outside > OUTSIDE_ROWS:
                raise ImportFileError(f"The spreadsheet's part {self.name} holds more than {OUTSIDE_ROWS:,} elements"
                                      " outside its rows, which no spreadsheet program writes")

    def comment(self, data: str) -> None:
        self.counted()
        self.characters(data)

    def start(self, name: str, attrs: dict) -> None:
        self.nesting += 1
        if self.nesting > MOST_NESTING:
            raise ImportFileError(f"The spreadsheet's part {self.name} nests elements more than {MOST_NESTING} deep,"
                                  " which no spreadsheet program does")
        if self.depth:
            self.depth += 1
            self.counted()
            if name == CELL and self.unit == ROW:
                self.cells, self.text = self.cells + 1, 0
                if self.cells > MAX_COLUMNS:
                    raise ImportFileError(f"Row {self.row_number:,} has more than {MAX_COLUMNS} cells; a row may"
                                          f" have at most {MAX_COLUMNS}: check that it is the right file",
                                          row=self.row_number)
        elif name in (ROW, STRING):
            self.unit, self.depth, self.cells, self.elements, self.text = name, 1, 0, 0, 0
            self.counted()
            if name == ROW:
                self.rows += 1
                number = attrs.get("r", "")
                self.row_number = int(number) if number.isdigit() else self.row_number + 1
                if self.rows > self.most_rows or self.row_number > self.most_rows:
                    raise ImportFileError(too_many_rows(self.most_rows), row=self.most_rows + 1)
        else:
            self.counted()

    def end(self, name: str) -> None:
        self.nesting -= 1
        if self.depth:
            self.depth -= 1

    def characters(self, data: str) -> None:
        self.text += len(data)
        if self.text > self.limits.cell_chars:
            raise ImportFileError(
                f"{self.where(capital=True)} holds a text of more than {self.limits.cell_chars:,} characters; a cell"
                f" may hold at most {self.limits.cell_chars:,} (CASELOAD_IMPORT_MAX_CELL_CHARS)",
                row=self.row_number if self.depth and self.unit == ROW else None,
            )

    def where(self, *, capital: bool = False) -> str:
        if self.depth and self.unit == ROW:
            return f"{'R' if capital else 'r'}ow {self.row_number:,}"
        return f"{'T' if capital else 't'}he spreadsheet's part {self.name}"
