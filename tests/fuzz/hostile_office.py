"""Hostile office files (DOCX, ODT, XLSX) built in memory: bombs, entity tricks, deep nesting, lies.

Every builder returns bytes. The valid base documents come from the libraries themselves, then one
part is swapped for the hostile one, so the rest of the package is what a real office suite writes.
"""

from __future__ import annotations

import io
import zipfile
from functools import cache

W_NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
ODF_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"')
XLSX_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'

# Entity tricks: a billion laughs (internal entities that double ten times over) and an external
# entity that would read a local file if a parser resolved it.
LAUGHS = ('<!DOCTYPE r [<!ENTITY a "lollollollollollollollollollol">'
          + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9))
          + "]>")
LAUGH_REF = "&j;"
XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_REF = "&xxe;"


def zip_bytes(members: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def swap(base: bytes, name: str, data: bytes, **extra: bytes) -> bytes:
    """The package `base` with member `name` replaced (the mimetype of ODF stays first, stored)."""
    members = _members(base)
    members[name] = data
    members.update(extra)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, content in members.items():
            kind = zipfile.ZIP_STORED if member == "mimetype" else zipfile.ZIP_DEFLATED
            zf.writestr(zipfile.ZipInfo(member), content, compress_type=kind)
    return buffer.getvalue()


@cache
def base_docx() -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Gemeenteraad: de jaarrekening wordt goedgekeurd.")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@cache
def base_odt() -> bytes:
    from odf.opendocument import OpenDocumentText
    from odf.text import P

    document = OpenDocumentText()
    document.text.addElement(P(text="Verslag van de commissie ruimtelijke ordening."))
    buffer = io.BytesIO()
    document.write(buffer)
    return buffer.getvalue()


@cache
def base_xlsx() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.title = "Begroting"
    workbook.active.append(["Post", "Bedrag"])
    workbook.active.append(["Wegenwerken", 125000])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def docx_body(body: str, *, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}'
            f"<w:document {W_NS}><w:body>{body}</w:body></w:document>").encode()


def docx_with(body: str, *, prolog: str = "") -> bytes:
    return swap(base_docx(), "word/document.xml", docx_body(body, prolog=prolog))


def odt_with(body: str, *, prolog: str = "") -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<office:document-content {ODF_NS}>'
           f"<office:body><office:text>{body}</office:text></office:body></office:document-content>")
    return swap(base_odt(), "content.xml", xml.encode())


def xlsx_with(sheet_data: str, *, prolog: str = "", dimension: str = "A1:B2") -> bytes:
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prolog}<worksheet {XLSX_NS}>'
           f'<dimension ref="{dimension}"/><sheetData>{sheet_data}</sheetData></worksheet>')
    return swap(base_xlsx(), "xl/worksheets/sheet1.xml", xml.encode())


def _para(text: str) -> str:
    return f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>"


def docx_inflating(ratio_target: int = 300, xml_mb: int = 12) -> bytes:
    """A DOCX whose document.xml inflates about `ratio_target` times: millions of empty runs."""
    run = "<w:r><w:t/></w:r>"
    paragraph = "<w:p>" + run * 200 + "</w:p>"
    count = xml_mb * 1024 * 1024 // len(paragraph)
    xml = docx_body(_para("Bijlage") + paragraph * count)
    data = swap(base_docx(), "word/document.xml", xml)
    assert len(xml) / len(data) > ratio_target / 3, "the XML must inflate far more than real documents do"
    return data


def docx_deep(depth: int = 5000) -> bytes:
    """Content controls nested `depth` deep (the extractor walks them)."""
    opening = "<w:sdt><w:sdtContent>" * depth
    closing = "</w:sdtContent></w:sdt>" * depth
    return docx_with(opening + _para("diep") + closing)


def docx_nested_archive(levels: int = 4) -> bytes:
    """A DOCX that embeds a DOCX that embeds a DOCX ... (OLE embeddings are zips inside the zip)."""
    inner = base_docx()
    for _ in range(levels):
        inner = swap(base_docx(), "word/embeddings/inner.docx", inner)
    return inner


def docx_bad_encoding() -> bytes:
    xml = docx_body(_para("caf\u00e9")).replace(b'encoding="UTF-8"', b'encoding="UTF-16"')
    return swap(base_docx(), "word/document.xml", xml + b"\xff\xfe\xc3")


def docx_traversal_names() -> bytes:
    """Member names that would escape a naive unzip; nothing may be written outside."""
    return swap(base_docx(), "word/document.xml", docx_body(_para("pad")),
                **{"../../../../tmp/belfort-fuzz-escape": b"x", "/etc/belfort-fuzz-abs": b"x"})


def zip_lying_sizes() -> bytes:
    """A DOCX whose central directory claims 4 GiB for a tiny member (a bomb by declaration)."""
    data = bytearray(docx_with(_para("klein")))
    at = data.rfind(b"PK\x01\x02")  # the last central directory entry
    data[at + 24:at + 28] = (0xFFFFFFF0).to_bytes(4, "little")  # uncompressed size
    return bytes(data)


def odt_deep(depth: int = 5000) -> bytes:
    return odt_with("<text:p>" + "<text:span>" * depth + "diep" + "</text:span>" * depth + "</text:p>")


def odt_without_content() -> bytes:
    return zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.text", "styles.xml": b"<x/>"},
                     compression=zipfile.ZIP_STORED)


def xlsx_huge_dimension() -> bytes:
    cells = '<row r="1"><c r="A1" t="inlineStr"><is><t>Post</t></is></c></row>'
    cells += '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    return xlsx_with(cells, dimension="A1:XFD1048576")

