"""XLSX files made by hand, part by part, streamed: small on disk and as large unpacked as a test wants.

A bomb's parts are written through the zip a piece at a time, so making one costs no memory.
"""

import zipfile
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
WORKBOOK_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
REGISTER_HEADER = ["reference", "surname", "forenames", "date_of_birth", "risk_tier", "officer", "registered_on"]


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline(row: int, column: int, text: str) -> bytes:
    return f'<c r="{column_letter(column)}{row}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()


def shared(row: int, column: int, index: int) -> bytes:
    return f'<c r="{column_letter(column)}{row}" t="s"><v>{index}</v></c>'.encode()


def row(number: int, cells: Iterable[bytes]) -> bytes:
    return f'<row r="{number}">'.encode() + b"".join(cells) + b"</row>"


def text_row(number: int, texts: list[str]) -> bytes:
    return row(number, (inline(number, i, t) for i, t in enumerate(texts, start=1) if t is not None))


def header_row() -> bytes:
    return text_row(1, REGISTER_HEADER)


def good_row(number: int) -> bytes:
    return text_row(number, [f"R-{number}", "Nowak", "Gary", "1989-01-14", "low", "", "2011-02-17"])


def write_xlsx(path: Path, rows: Iterable[bytes], strings: Iterable[bytes] | None = None,
               dimension: str = "A1:G2") -> Path:
    """A workbook of one sheet whose sheetData is `rows`, and whose shared strings table is `strings` (the
    pieces of what goes inside <sst>), both streamed into the zip."""
    overrides = f'<Override PartName="/xl/workbook.xml" ContentType="{WORKBOOK_TYPE}"/>' \
                f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SHEET_TYPE}"/>'
    rels = f'<Relationship Id="rId1" Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/>'
    if strings is not None:
        overrides += f'<Override PartName="/xl/sharedStrings.xml" ContentType="{STRINGS_TYPE}"/>'
        rels += f'<Relationship Id="rId2" Type="{OFFICE_RELS}/sharedStrings" Target="sharedStrings.xml"/>'
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            f'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'))
        archive.writestr("_rels/.rels", (
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}"><Relationship Id="rId1" '
            f'Type="{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        archive.writestr("xl/workbook.xml", (
            f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}"><sheets>'
            '<sheet name="Register" sheetId="1" r:id="rId1"/></sheets></workbook>'))
        archive.writestr("xl/_rels/workbook.xml.rels",
                         f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">{rels}</Relationships>')
        stream(archive, "xl/worksheets/sheet1.xml",
               f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
               '<sheetData>'.encode(), rows, b"</sheetData></worksheet>")
        if strings is not None:
            stream(archive, "xl/sharedStrings.xml", f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">'
                   .encode(), strings, b"</sst>")
    return path


def stream(archive: zipfile.ZipFile, name: str, head: bytes, body: Iterable[bytes], tail: bytes) -> None:
    with archive.open(name, "w", force_zip64=True) as part:
        part.write(head)
        batch, size = [], 0
        for piece in body:
            batch.append(piece)
            size += len(piece)
            if size >= 1 << 20:
                part.write(b"".join(batch))
                batch, size = [], 0
        part.write(b"".join(batch) + tail)


def string_item(text: str) -> bytes:
    return f"<si><t>{escape(text)}</t></si>".encode()


def repeated(piece: bytes, total_bytes: int) -> Iterable[bytes]:
    """`piece` again and again, to about `total_bytes`."""
    block = piece * max(1, (1 << 20) // len(piece))
    for _ in range(max(1, total_bytes // len(block))):
        yield block
