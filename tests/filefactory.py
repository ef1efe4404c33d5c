"""Write sample files of every supported (and unsupported, and broken) format for tests.

Every function writes one file and returns its path. `write_corpus(folder)` writes the whole
bad-input corpus of issue 2 and returns {file name: expected outcome}, where the outcome is the
Extracted.kind for a good file or the IngestError code for a bad one; names in NEEDS_OCR extract
with needs_ocr=True. Other tests (pipeline, web) build on these; keep the signatures stable.
"""

from __future__ import annotations

import datetime as dt
import struct
from collections.abc import Mapping, Sequence
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

from tests.filefactory_raw import TINY_JPEG, grey_pixels, pdf_bytes, png_bytes, tiff_bytes

DUTCH_PAGES = [
    ("Gemeenteraad van Belfort-aan-Zee\n"
     "Zitting van maandag 13 mei 2024 om 20 uur in de raadzaal van het stadhuis.\n"
     "Punt 1. De raad keurt de jaarrekening 2023 goed. De schepen van financiën licht de cijfers toe.\n"
     "Punt 2. Het reglement op het gebruik van de fietsenstalling wordt gewijzigd na advies van de "
     "commissie. Café-uitbaters krijgen een overgangsperiode van één jaar."),
    ("Punt 3. Subsidie voor de renovatie van de kerk Sint-Cornelius: de raad beslist een bedrag van "
     "25.000 euro toe te kennen. Zoë Vercruysse (CD&V) onthoudt zich.\n"
     "Punt 4. Vragen van raadsleden over de heraanleg van de Kerkstraat en de coördinatie van de werken."),
]
FRENCH_TEXT = (
    "Le conseil communal approuve le règlement relatif au stationnement des vélos. "
    "Les propriétaires de cafés bénéficient d'une période de transition d'un an."
)
NEEDS_OCR = {"scan zonder tekst.pdf", "foto.png", "scan.jpg", "archief.tif"}
# NFD é, emoji, CJK, fullwidth ampersand, ligature, spaces and brackets
UNUSUAL_NAME = "Notulen – Café Zoe\u0301 ☕ 東京 ＆ ﬁnale (kopie 1).txt"


def _write(path: Path, data: bytes) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- PDF and images --------------------------------------------------------------------------------

def make_pdf(path: Path, pages: Sequence[str] = DUTCH_PAGES, *, title: str = "") -> Path:
    """A born-digital PDF, one page per string (Helvetica, WinAnsi: accents survive)."""
    return _write(path, pdf_bytes(list(pages), title=title))


def make_encrypted_pdf(path: Path, password: str = "geheim", pages: Sequence[str] = DUTCH_PAGES) -> Path:
    """Needs `password` to open (RC4 standard security handler)."""
    return _write(path, pdf_bytes(list(pages), password=password))


def make_scanned_pdf(path: Path, pages: int = 2, text: str = "Gescand document") -> Path:
    """Pages that are one image each, no text layer: what a copier's scan-to-folder produces."""
    width, height = 300, 420
    pixels = grey_pixels(width, height, text)
    return _write(path, pdf_bytes([], images=[(width, height, pixels)] * pages))


def make_corrupt_pdf(path: Path) -> Path:
    """Starts like a PDF, then garbage: no objects, no xref."""
    return _write(path, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n" + bytes(range(256)) * 8 + b"\n%%EO")


def make_image(path: Path, text: str = "Belfort", size: tuple[int, int] = (320, 120)) -> Path:
    """PNG, JPEG or TIFF by suffix; text is drawn when Pillow is installed (for later OCR tests)."""
    path = Path(path)
    suffix = path.suffix.lower()
    width, height = size
    try:
        from PIL import Image
    except ImportError:
        Image = None
    if Image is not None:
        image = Image.frombytes("L", size, grey_pixels(width, height, text))
        path.parent.mkdir(parents=True, exist_ok=True)
        image.save(path, format={".png": "PNG", ".jpg": "JPEG", ".jpeg": "JPEG"}.get(suffix, "TIFF"))
        return path
    if suffix == ".png":
        return _write(path, png_bytes(width, height, grey_pixels(width, height, text)))
    if suffix in {".jpg", ".jpeg"}:
        return _write(path, TINY_JPEG)
    return _write(path, tiff_bytes(width, height, grey_pixels(width, height, text)))


# -- office ----------------------------------------------------------------------------------------

def make_docx(path: Path, paragraphs: Sequence[str] = DUTCH_PAGES, *, heading: str = "Notulen gemeenteraad",
              table: Sequence[Sequence[str]] | None = (("Punt", "Besluit"), ("1", "Goedgekeurd"))) -> Path:
    import docx

    document = docx.Document()
    if heading:
        document.add_heading(heading, level=1)
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    if table:
        grid = document.add_table(rows=len(table), cols=len(table[0]))
        for r, row in enumerate(table):
            for c, value in enumerate(row):
                grid.cell(r, c).text = value
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_odt(path: Path, paragraphs: Sequence[str] = DUTCH_PAGES, *,
             heading: str = "Verslag van de commissie",
             table: Sequence[Sequence[str]] | None = (("Naam", "Functie"), ("Zoë", "Schepen"))) -> Path:
    from odf.opendocument import OpenDocumentText
    from odf.table import Table, TableCell, TableColumn, TableRow
    from odf.text import H, P

    document = OpenDocumentText()
    if heading:
        document.text.addElement(H(outlinelevel=1, text=heading))
    for paragraph in paragraphs:
        document.text.addElement(P(text=paragraph))
    if table:
        grid = Table(name="Tabel1")
        grid.addElement(TableColumn(numbercolumnsrepeated=len(table[0])))
        for row in table:
            tr = TableRow()
            for value in row:
                cell = TableCell()
                cell.addElement(P(text=value))
                tr.addElement(cell)
            grid.addElement(tr)
        document.text.addElement(grid)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))
    return path


def make_xlsx(path: Path, sheets: Mapping[str, Sequence[Sequence[object]]] | None = None) -> Path:
    import openpyxl

    sheets = sheets or {
        "Begroting 2024": [("Post", "Bedrag"), ("Wegenwerken", 125000), ("Bibliotheek", 48500.5)],
        "Personeel": [("Dienst", "VTE"), ("Burgerzaken", 12), ("Financiën", 7)],
    }
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for name, rows in sheets.items():
        sheet = workbook.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(str(path))
    return path


def make_csv(path: Path, rows: Sequence[Sequence[str]] | None = None, *, delimiter: str = ";",
             encoding: str = "cp1252") -> Path:
    """Excel-in-Flanders style by default: semicolons and windows-1252."""
    rows = rows or [("Straat", "Gemeente", "Opmerking"), ("Kerkstraat 1", "Belfort", "café gesloten"),
                    ("Rue de l'Église 2", "Belfort", "très calme")]
    text = "\r\n".join(delimiter.join(row) for row in rows) + "\r\n"
    return _write(path, text.encode(encoding))


# -- web and text ----------------------------------------------------------------------------------

def make_html(path: Path, title: str = "Nieuws uit de gemeente", paragraphs: Sequence[str] = DUTCH_PAGES, *,
              encoding: str = "utf-8", declare_charset: bool = True) -> Path:
    """A page with navigation, script and style around the content (which extraction must drop)."""
    meta = f'<meta charset="{encoding}">' if declare_charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    markup = (
        f"<!DOCTYPE html><html lang=\"nl\"><head>{meta}<title>{title}</title>"
        "<style>p { color: red }</style><script>var tracking = 'geheim';</script></head><body>"
        "<nav><a href='/'>Startpagina</a> <a href='/kalender'>Kalender</a></nav>"
        f"<h1>{title}</h1>{body}<img src='https://example.invalid/logo.png' alt=''>"
        "<table><tr><th>Punt</th><th>Besluit</th></tr><tr><td>1</td><td>Goedgekeurd</td></tr></table>"
        "</body></html>"
    )
    return _write(path, markup.encode(encoding, errors="replace"))


def make_text(path: Path, text: str = "\n\n".join(DUTCH_PAGES), *, encoding: str = "utf-8") -> Path:
    return _write(path, text.encode(encoding))


# -- mail ------------------------------------------------------------------------------------------

def eml_bytes(subject: str, body: str, attachments: Sequence[tuple[str, bytes]] = (), *,
              html_body: str | None = None, sender: str = "Zoë Peeters <zoe.peeters@belfort.example>",
              to: str = "raad@belfort.example") -> bytes:
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = to
    message["Date"] = format_datetime(dt.datetime(2024, 5, 13, 9, 30, tzinfo=dt.UTC))
    message["Message-ID"] = "<test-1@belfort.example>"
    if body:
        message.set_content(body)
    if html_body is not None:
        if body:
            message.add_alternative(html_body, subtype="html")
        else:
            message.set_content(html_body, subtype="html")
    for name, data in attachments:
        maintype, subtype = _guess_type(name)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message.as_bytes()


def make_eml(path: Path, subject: str = "Uitnodiging gemeenteraad", body: str = DUTCH_PAGES[0],
             attachments: Sequence[tuple[str, bytes]] = (), **kwargs: object) -> Path:
    return _write(path, eml_bytes(subject, body, attachments, **kwargs))  # type: ignore[arg-type]


def _guess_type(name: str) -> tuple[str, str]:
    import mimetypes

    guessed = mimetypes.guess_type(name)[0] or "application/octet-stream"
    maintype, subtype = guessed.split("/", 1)
    return maintype, subtype


def make_msg(path: Path, subject: str = "Vraag over de fietsenstalling", body: str = DUTCH_PAGES[0],
             sender: str = "Zoë Peeters <zoe.peeters@belfort.example>",
             attachments: Sequence[tuple[str, bytes]] = (),
             embedded: Sequence[tuple[str, str]] = ()) -> Path:
    """A minimal Outlook .msg (OLE2 with MAPI property streams) written with extract-msg's OleWriter.

    `attachments` are (file name, bytes); `embedded` are forwarded Outlook items (subject, body).
    """
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    _msg_streams(writer, "", subject, body, sender, attachments, embedded, top=True)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writer.write(str(path))
    return path


def _msg_streams(writer, prefix: str, subject: str, body: str, sender: str,  # type: ignore[no-untyped-def]
                 attachments: Sequence[tuple[str, bytes]], embedded: Sequence[tuple[str, str]],
                 top: bool) -> None:
    def entry(tag: int, value: bytes) -> bytes:
        return struct.pack("<II", tag, 6) + value

    def unicode_prop(storage: str, prop: int, text: str) -> bytes:
        data = text.encode("utf-16-le")
        writer.addEntry(f"{storage}__substg1.0_{prop:04X}001F", data)
        return entry((prop << 16) | 0x001F, struct.pack("<II", len(data) + 2, 0))

    props = b"".join(unicode_prop(prefix, pid, value) for pid, value in (
        (0x001A, "IPM.Note"), (0x0037, subject), (0x1000, body), (0x0C1A, sender), (0x0E1D, subject)))
    filetime = int((dt.datetime(2024, 5, 13, 9, 30) - dt.datetime(1601, 1, 1)).total_seconds() * 10_000_000)
    props += entry((0x0039 << 16) | 0x0040, struct.pack("<Q", filetime))
    count = len(attachments) + len(embedded)
    header = b"\0" * 8 + struct.pack("<IIII", 0, count, 0, count) + (b"\0" * 8 if top else b"")
    writer.addEntry(f"{prefix}__properties_version1.0", header + props)
    if top:
        writer.addEntry("__nameid_version1.0", storage=True)
        for stream in ("00020102", "00030102", "00040102"):
            writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    for index, item in enumerate([*attachments, *embedded]):
        root = f"{prefix}__attach_version1.0_#{index:08X}"
        writer.addEntry(root, storage=True)
        if index < len(attachments):
            name, data = attachments[index]
            aprops = b"\0" * 8 + entry((0x3705 << 16) | 0x0003, struct.pack("<II", 1, 0))  # by value
            aprops += unicode_prop(root + "/", 0x3707, name)
            writer.addEntry(f"{root}/__substg1.0_37010102", data)
            aprops += entry((0x3701 << 16) | 0x0102, struct.pack("<II", len(data), 0))
        else:
            inner_subject, inner_body = item  # type: ignore[misc]
            aprops = b"\0" * 8 + entry((0x3705 << 16) | 0x0003, struct.pack("<II", 5, 0))  # embedded message
            aprops += entry((0x3701 << 16) | 0x000D, struct.pack("<II", 0xFFFFFFFF, 0))
            writer.addEntry(f"{root}/__substg1.0_3701000D", storage=True)
            _msg_streams(writer, f"{root}/__substg1.0_3701000D/", str(inner_subject), str(inner_body), sender,
                         (), (), top=False)
        writer.addEntry(f"{root}/__properties_version1.0", aprops)


# -- the corpus ------------------------------------------------------------------------------------

def write_corpus(folder: Path) -> dict[str, str]:
    """Write every good and bad sample into `folder`; return {name: kind or IngestError code}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def add(name: str, outcome: str, writer, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        writer(folder / name, *args, **kwargs)
        expected[name] = outcome

    add("raadsbesluit 2024.pdf", "pdf", make_pdf, title="Besluitenlijst gemeenteraad")
    add("scan zonder tekst.pdf", "pdf", make_scanned_pdf)
    add("notulen.docx", "docx", make_docx)
    add("verslag.odt", "odt", make_odt)
    add("begroting.xlsx", "xlsx", make_xlsx)
    add("adressen.csv", "csv", make_csv)
    add("nieuws.html", "html", make_html)
    add("oud intranet.htm", "html", make_html, "Oud intranet: café", encoding="cp1252", declare_charset=False)
    add("lees mij.txt", "text", make_text)
    add("handleiding.md", "text", make_text, "# Handleiding\n\n" + FRENCH_TEXT)
    add(UNUSUAL_NAME, "text", make_text, "Bestand met een ongewone naam.\n" + DUTCH_PAGES[1])
    add("uitnodiging.eml", "eml", make_eml, attachments=[
        ("agenda.pdf", pdf_bytes(["Agenda van de gemeenteraad: jaarrekening en subsidies."])),
        ("kapotte bijlage.pdf", b"%PDF-1.4\n\x00\x01garbage"),
    ])
    add("bericht.msg", "msg", make_msg, attachments=[("nota.txt", b"Nota voor het college.")])
    add("foto.png", "image", make_image)
    add("scan.jpg", "image", make_image)
    add("archief.tif", "image", make_image)
    add("leeg.pdf", "ingest.empty", _write, b"")
    add("kapot.pdf", "ingest.corrupt", make_corrupt_pdf)
    add("beveiligd.pdf", "ingest.encrypted", make_encrypted_pdf)
    add("programma.exe", "ingest.unsupported_type", _write, b"MZ\x90\x00\x03" + b"\x00" * 200)
    add("archief.zip", "ingest.unsupported_type", _write, _zip_bytes())
    return expected


def _zip_bytes() -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("readme.txt", "inhoud")
    return buffer.getvalue()
