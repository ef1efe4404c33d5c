"""The hostile corpus: one small hand-made file per attack, for every format ingest reads.

Each case names the outcomes it may end in: an Extracted.kind (the file was read, maybe partly) or
a stable IngestError code. A case that may only fail says so by listing codes alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from tests.filefactory import eml_bytes
from tests.filefactory_raw import TINY_JPEG, pdf_bytes
from tests.fuzz import hostile_media as hm
from tests.fuzz import hostile_office as ho

CORRUPT = "ingest.corrupt"
# What a bomb may end in: refused up front, or stopped by the cage's memory or time limit.
TOO_BIG = frozenset({"ingest.too_complex", "ingest.too_large", "ingest.memory_limit", "ingest.timeout"})


@dataclass(frozen=True)
class Case:
    name: str  # the file name as dropped (its extension matters)
    build: Callable[[], bytes]
    outcomes: frozenset[str]
    seconds: float = 15.0  # wall-clock budget for this one file (extraction, or ingest)
    absent: str = ""  # text that must never reach the extracted text (an entity that was resolved)


def case(name: str, build: Callable[[], bytes], *outcomes: str, seconds: float = 15.0, absent: str = "") -> Case:
    return Case(name, build, frozenset(outcomes), seconds, absent)


def _pdf() -> bytes:
    return pdf_bytes([hm.PAGE])


CASES: list[Case] = [
    # -- PDF
    case("afgebroken.pdf", hm.pdf_truncated, "pdf", CORRUPT),
    case("xref-kapot.pdf", hm.pdf_bad_xref, "pdf", CORRUPT),
    case("paginaboom-lus.pdf", hm.pdf_page_tree_cycle, "pdf", CORRUPT),
    case("duizenden-paginas.pdf", hm.pdf_many_pages, "pdf", CORRUPT, *TOO_BIG, seconds=30),
    case("diep-genest.pdf", hm.pdf_deep_nesting, "pdf", CORRUPT),
    case("flate-bom.pdf", hm.pdf_flate_bomb, "pdf", CORRUPT, *TOO_BIG, seconds=30),
    case("reuzenpagina.pdf", hm.pdf_huge_page, "pdf", CORRUPT),
    case("alleen-kop.pdf", lambda: b"%PDF-1.7\n", CORRUPT),
    case("ruis.pdf", lambda: b"%PDF-1.4\n" + hm.seeded_noise(20_000), CORRUPT),
    case("pdf-als-docx.docx", _pdf, "pdf"),
    case("pdf-zonder-extensie", _pdf, "pdf"),
    # -- DOCX
    case("afgebroken.docx", lambda: ho.base_docx()[:700], CORRUPT),
    case("zip-bom-300x.docx", ho.docx_inflating, *TOO_BIG, seconds=60),
    case("billion-laughs.docx", lambda: ho.docx_with(f"<w:p><w:r><w:t>{ho.LAUGH_REF}</w:t></w:r></w:p>",
                                                      prolog=ho.LAUGHS), "docx", CORRUPT, *TOO_BIG, absent="lollollol"),
    case("xxe.docx", lambda: ho.docx_with(f"<w:p><w:r><w:t>{ho.XXE_REF}</w:t></w:r></w:p>", prolog=ho.XXE),
         "docx", CORRUPT, *TOO_BIG, absent="root:"),
    case("diep-genest.docx", ho.docx_deep, "docx", CORRUPT, *TOO_BIG),
    case("zip-in-zip.docx", ho.docx_nested_archive, "docx"),
    case("verkeerde-codering.docx", ho.docx_bad_encoding, CORRUPT),
    case("lege-xml.docx", lambda: ho.swap(ho.base_docx(), "word/document.xml", b""), CORRUPT),
    case("pad-ontsnapping.docx", ho.docx_traversal_names, "docx", CORRUPT),
    case("liegende-groottes.docx", ho.zip_lying_sizes, CORRUPT, *TOO_BIG),
    case("gewone-zip.docx", lambda: hm.zip_of(b"inhoud", "lees.txt"), CORRUPT),
    # -- ODT
    case("afgebroken.odt", lambda: ho.base_odt()[:300], CORRUPT),
    case("billion-laughs.odt", lambda: ho.odt_with(f"<text:p>{ho.LAUGH_REF}</text:p>", prolog=ho.LAUGHS),
         "odt", CORRUPT, *TOO_BIG, absent="lollollol"),
    case("xxe.odt", lambda: ho.odt_with(f"<text:p>{ho.XXE_REF}</text:p>", prolog=ho.XXE),
         "odt", CORRUPT, *TOO_BIG, absent="root:"),
    case("diep-genest.odt", ho.odt_deep, "odt", CORRUPT, *TOO_BIG),
    case("zonder-inhoud.odt", ho.odt_without_content, CORRUPT),
    # -- XLSX
    case("afgebroken.xlsx", lambda: ho.base_xlsx()[:500], CORRUPT),
    case("billion-laughs.xlsx", lambda: ho.xlsx_with(
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{ho.LAUGH_REF}</t></is></c></row>', prolog=ho.LAUGHS),
        "xlsx", CORRUPT, *TOO_BIG, absent="lollollol"),
    case("xxe.xlsx", lambda: ho.xlsx_with(
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{ho.XXE_REF}</t></is></c></row>', prolog=ho.XXE),
        "xlsx", CORRUPT, *TOO_BIG, absent="root:"),
    case("reuzenbereik.xlsx", ho.xlsx_huge_dimension, "xlsx", *TOO_BIG),
    # -- CSV, HTML, text
    case("reuzenveld.csv", hm.csv_huge_field, "csv", CORRUPT),
    case("veel-kolommen.csv", hm.csv_many_columns, "csv"),
    case("nul-bytes.csv", lambda: b"a;b\x00;c\n" * 100, CORRUPT),
    case("commentaarstorm", hm.html_comment_storm, "html", "text", seconds=5),
    case("commentaarstorm.dat", hm.html_comment_storm, "html", "text", "ingest.unsupported_type", seconds=5),
    case("diep-genest.html", hm.html_deep, "ingest.too_complex", seconds=5),
    case("spaties-tussen-spans.html", hm.html_spaced_spans, "html", seconds=10),
    case("open-commentaar.html", hm.html_unclosed_comment, "html"),
    case("rare-charset.html", lambda: b'<meta charset="x-nope"><meta charset="utf-7"><p>Caf\xe9 +AOk-</p>', "html"),
    case("lange-regel.txt", hm.text_one_long_line, "text", seconds=30),
    case("utf16-oneven.txt", hm.text_utf16_odd, "text", "ingest.encoding"),
    case("zalgo.txt", hm.text_zalgo, "text"),
    case("gemengde-codering.txt", hm.text_mixed_encodings, "text", "ingest.encoding"),
    case("programma.txt", lambda: b"\x7fELF\x02\x01\x01" + b"\x00" * 400, "ingest.encoding", "ingest.unsupported_type"),
    case("alleen-bom.txt", lambda: b"\xef\xbb\xbf", "text", "ingest.empty"),
    # -- mail
    case("doorgestuurd-40x.eml", hm.eml_nested, "eml"),
    case("multipart-3000-diep.eml", hm.eml_deep_multipart, "eml", CORRUPT, *TOO_BIG),
    case("60-bijlagen.eml", hm.eml_many_attachments, "eml"),
    case("rare-charsets.eml", hm.eml_bad_charsets, "eml"),
    case("gevaarlijke-namen.eml", hm.eml_hostile_names, "eml"),
    case("reuzenonderwerp.eml", hm.eml_header_bomb, "eml", *TOO_BIG),
    case("base64-rommel.eml", hm.eml_base64_garbage, "eml"),
    case("nul-in-bijlagenaam.eml", lambda: eml_bytes("x", hm.PAGE, [("\x00nul.txt", b"x")]), "eml", CORRUPT),
    case("geen-kopregels.eml", lambda: b"\x00\x01\x02" * 100, CORRUPT),
    case("mail-in-zip.eml", lambda: hm.zip_of(eml_bytes("x", hm.PAGE), "x.eml"), CORRUPT, "eml"),
    case("genest.msg", hm.msg_nested, "msg"),
    case("ruis.msg", hm.msg_garbage, CORRUPT),
    case("fat-lus.msg", hm.msg_fat_loop, CORRUPT),
    case("afgebroken.msg", lambda: hm.msg_nested()[:1500], CORRUPT),
    # -- images (decoded only by OCR, later: extraction reads the header)
    case("reuzen-png.png", lambda: hm.png_header(40_000, 40_000), "ocr.image_too_large", seconds=5),
    case("reuzen-jpeg.jpg", lambda: hm.jpeg_header(65_000, 65_000), "ocr.image_too_large", seconds=5),
    case("reuzen-tiff.tif", lambda: hm.tiff_header(60_000, 60_000), "ocr.image_too_large", seconds=5),
    case("a3-600dpi.png", lambda: hm.png_header(7016, 9921), "image", CORRUPT),
    case("nul-bij-nul.png", lambda: hm.png_header(0, 0), "image", CORRUPT),
    case("kop-alleen.png", lambda: b"\x89PNG\r\n\x1a\n\x00\x00", CORRUPT, "image"),
    case("afgebroken.jpg", hm.jpeg_truncated, "image", CORRUPT),
    case("ifd-lus.tif", hm.tiff_ifd_loop, "image"),
    case("gif-als-png.png", lambda: b"GIF89a" + b"\x00" * 100, CORRUPT, "ingest.unsupported_type"),
    case("jpeg-als-pdf.pdf", lambda: TINY_JPEG, "image", CORRUPT),
]

# Zero bytes under every name ingest knows: always ingest.empty, never a parser's exception.
EMPTY_NAMES = ["leeg.pdf", "leeg.docx", "leeg.odt", "leeg.xlsx", "leeg.csv", "leeg.html", "leeg.txt",
               "leeg.md", "leeg.eml", "leeg.msg", "leeg.png", "leeg.jpg", "leeg.tif", "leeg"]

# Recordings: what the upload refuses at once, or accepts for a transcription that will say why it fails.
AUDIO_CASES: dict[str, Callable[[], bytes]] = {
    "alleen-kop.wav": lambda: hm.wav_header(0),
    "liegende-lengte.wav": hm.wav_lying_length,
    "nul-hertz.wav": hm.wav_zero_rate,
    "ruis.mp3": hm.mp3_garbage,
    "afgebroken.ogg": hm.ogg_truncated,
    "pdf-als-audio.m4a": _pdf,
}
