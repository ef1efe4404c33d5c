"""PDF titles from the Info dictionary: PDFDocEncoding, UTF-16BE with a BOM, and the producers' wrong
encodings (cp1252, UTF-8) that showed "Beleidsnota bibliotheek 2026Œ2031"."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.extract.pdf import extract_pdf
from ingest.extract.pdfdoc import repair_title
from ops.demo.pdfwrite import assemble


def _pdf(path: Path, title: bytes) -> Path:
    """A one-page PDF with a text layer whose /Title is `title`, a literal or hex string as given."""
    text = b"BT /F1 12 Tf 56 790 Td (De bibliotheek opent een nieuwe vestiging in het centrum.) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [4 0 R] /Count 1 >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
         b"/Contents 5 0 R >>"),
        b"<< /Length %d >>\nstream\n" % len(text) + text + b"\nendstream",
        b"<< /Title " + title + b" >>",
    ]
    path.write_bytes(assemble(objects, info_ref=6))
    return path


EXPECTED = "Beleidsnota bibliotheek 2026–2031"


@pytest.mark.parametrize(("name", "title"), [
    ("pdfdoc", b"(Beleidsnota bibliotheek 2026\x852031)"),  # 0x85 is the en dash in PDFDocEncoding
    ("utf16", b"<" + ("\ufeff" + EXPECTED).encode("utf-16-be").hex().encode() + b">"),
    ("cp1252", b"(Beleidsnota bibliotheek 2026\x962031)"),  # a producer's error: showed "2026Œ2031"
    ("utf8", b"(" + EXPECTED.encode("utf-8") + b")"),  # another producer's error: "2026â•ﬁ2031"
])
def test_pdf_title_in_each_encoding_reads_right(tmp_path: Path, name: str, title: bytes) -> None:
    assert extract_pdf(_pdf(tmp_path / f"{name}.pdf", title)).title == EXPECTED


def test_repair_leaves_right_titles_alone() -> None:
    for title in ("Œuvres de la bibliothèque", "Cœur de ville – plan 2026", "Café “De Kroon”",
                  "Straße 5 – № 7", "Begroting 2026", "Łódź – stedenband", "Gemeente Şile"):
        assert repair_title(title) == title
    assert repair_title("Gemeente™s beleid") == "Gemeente’s beleid"
    assert repair_title("Nota Œ deel 2") == "Nota – deel 2"
