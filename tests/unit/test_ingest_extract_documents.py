"""Extraction of every document format: text, pages, titles, accents, tables."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.types import IngestError
from tests import filefactory as ff


def test_pdf_text_layer_per_page_with_accents(tmp_path: Path) -> None:
    result = extract(ff.make_pdf(tmp_path / "besluit.pdf", title="Besluitenlijst mei"))
    assert result.kind == "pdf" and result.mime == "application/pdf"
    assert result.title == "Besluitenlijst mei"
    assert [p.number for p in result.pages] == [1, 2]
    assert "financiën" in result.pages[0].text and "één jaar" in result.pages[0].text
    assert "Zoë Vercruysse" in result.pages[1].text and "coördinatie" in result.pages[1].text
    assert "Sint-Cornelius" not in result.pages[0].text  # page 2 text stays on page 2
    assert not result.needs_ocr and "scan_pages" not in result.meta
    assert "\r" not in result.text


def test_pdf_line_end_hyphenation_is_joined(tmp_path: Path) -> None:
    result = extract(ff.make_pdf(tmp_path / "h.pdf", ["De gemeen-\nteraad keurt het goed aan € 25."]))
    assert result.text == "De gemeenteraad keurt het goed aan € 25."


def test_pdf_title_falls_back_to_file_stem(tmp_path: Path) -> None:
    assert extract(ff.make_pdf(tmp_path / "raad 13 mei.pdf", ["Iets"])).title == "raad 13 mei"


def test_scanned_pdf_needs_ocr(tmp_path: Path) -> None:
    result = extract(ff.make_scanned_pdf(tmp_path / "scan.pdf", pages=3))
    assert result.kind == "pdf" and result.needs_ocr
    assert result.meta["scan_pages"] == [1, 2, 3]
    assert len(result.pages) == 3


def test_pdf_with_one_scanned_page_among_text_pages_is_indexed_with_the_scan_marked(tmp_path: Path) -> None:
    from tests.filefactory_raw import grey_pixels, pdf_bytes

    data = pdf_bytes(ff.DUTCH_PAGES + ["Bijlage: zie scan."], images=[(50, 70, grey_pixels(50, 70))])
    result = extract(ff._write(tmp_path / "gemengd.pdf", data))
    assert not result.needs_ocr  # most pages have text
    assert result.meta["scan_pages"] == [4]


def test_encrypted_pdf_fixture_opens_with_its_password(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    path = ff.make_encrypted_pdf(tmp_path / "geheim.pdf", password="sesam")
    pdf = pdfium.PdfDocument(path, password="sesam")
    try:
        assert "financiën" in pdf[0].get_textpage().get_text_range()
    finally:
        pdf.close()
    with pytest.raises(IngestError) as err:
        extract(path)
    assert err.value.code == "ingest.encrypted" and "password" in err.value.hint


def test_docx_headings_paragraphs_and_tables_in_order(tmp_path: Path) -> None:
    result = extract(ff.make_docx(tmp_path / "notulen.docx", table=[("Punt", "Besluit"), ("1", "Goedgekeurd")]))
    assert result.kind == "docx" and result.title == "Notulen gemeenteraad"
    assert len(result.pages) == 1
    text = result.pages[0].text
    # A table row keeps its column headers: the row label 'Punt 1' and 'Besluit Goedgekeurd'.
    row = text.index("Punt 1: Besluit Goedgekeurd")
    assert text.index("Notulen gemeenteraad") < text.index("financiën") < row


def test_docx_text_inside_content_controls(tmp_path: Path) -> None:
    import docx
    from docx.oxml import OxmlElement

    path = ff.make_docx(tmp_path / "sjabloon.docx", ["Vaste tekst."], table=None)
    document = docx.Document(str(path))
    field = document.add_paragraph("Ingevuld veld: Kerkstraat 12").runs[0]._parent._p
    sdt, content = OxmlElement("w:sdt"), OxmlElement("w:sdtContent")
    field.addprevious(sdt)
    content.append(field)
    sdt.append(content)
    document.save(str(path))
    assert "Ingevuld veld: Kerkstraat 12" in extract(path).text


def test_docx_without_heading_uses_stem(tmp_path: Path) -> None:
    assert extract(ff.make_docx(tmp_path / "brief aan Zoë.docx", ["Tekst"], heading="", table=None)).title == "brief aan Zoë"


def test_odt(tmp_path: Path) -> None:
    result = extract(ff.make_odt(tmp_path / "verslag.odt"))
    assert result.kind == "odt" and result.title == "Verslag van de commissie"
    text = result.pages[0].text
    assert "coördinatie" in text and "Naam: Functie" in text and "Zoë: Schepen" in text  # key: value rows


def test_xlsx_one_page_per_sheet(tmp_path: Path) -> None:
    result = extract(ff.make_xlsx(tmp_path / "begroting.xlsx"))
    assert result.kind == "xlsx"
    assert [p.number for p in result.pages] == [1, 2]
    assert result.meta["sheets"] == ["Begroting 2024", "Personeel"]
    assert result.pages[0].text.splitlines() == ["Begroting 2024", "Wegenwerken: Bedrag 125000",
                                                 "Bibliotheek: Bedrag 48500.5"]
    assert [h.text for h in result.pages[0].headings] == ["Begroting 2024"]
    assert "Financiën: VTE 7" in result.pages[1].text


@pytest.mark.parametrize(("delimiter", "encoding"), [(";", "cp1252"), (",", "utf-8"), ("\t", "utf-16")])
def test_csv_any_delimiter_and_charset(tmp_path: Path, delimiter: str, encoding: str) -> None:
    result = extract(ff.make_csv(tmp_path / "adressen.csv", delimiter=delimiter, encoding=encoding))
    assert result.kind == "csv"
    lines = result.pages[0].text.splitlines()
    assert lines[0] == "Straat\tGemeente\tOpmerking"
    assert lines[2] == "Rue de l'Église 2\tBelfort\ttrès calme"


def test_html_drops_script_style_nav_and_keeps_tables(tmp_path: Path) -> None:
    result = extract(ff.make_html(tmp_path / "nieuws.html", title="Nieuws & info"))
    assert result.kind == "html" and result.title == "Nieuws & info"
    text = result.pages[0].text
    assert "tracking" not in text and "color" not in text and "Kalender" not in text
    assert "financiën" in text and "Punt 1: Besluit Goedgekeurd" in text
    assert result.meta["lang"] == "nl"


def test_html_keeps_line_breaks_of_preformatted_text(tmp_path: Path) -> None:
    markup = "<html><body><p>Zie   onder:</p><pre>Regel 1\nRegel   2\n</pre><p>Einde</p></body></html>"
    result = extract(ff._write(tmp_path / "pre.html", markup.encode()))
    assert result.text == "Zie onder:\n\nRegel 1\nRegel 2\n\nEinde"


def test_html_in_windows_1252_without_charset(tmp_path: Path) -> None:
    paragraphs = ["Het règlement voor de café's: één overgangsjaar, financiën en coördinatie."]
    path = ff.make_html(tmp_path / "oud.htm", "Oud intranet", paragraphs, encoding="cp1252", declare_charset=False)
    result = extract(path)
    assert result.meta["encoding"] == "cp1252"
    assert paragraphs[0] in result.pages[0].text


def test_html_that_lies_about_its_charset(tmp_path: Path) -> None:
    body = "<html><head><meta charset='utf-8'><title>x</title></head><body><p>één café, règlement</p></body></html>"
    result = extract(ff._write(tmp_path / "liegt.html", body.encode("cp1252")))
    assert "één café, règlement" in result.text


def test_html_with_binary_garbage_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        extract(ff._write(tmp_path / "kapot.html", b"<html>\x00\x01\x02\x03" * 100))
    assert err.value.code == "ingest.corrupt"


def test_text_and_markdown(tmp_path: Path) -> None:
    txt = extract(ff.make_text(tmp_path / "lees mij.txt", "Regel één\r\nRegel twee\r\n", encoding="utf-16"))
    assert txt.kind == "text" and txt.title == "lees mij" and txt.pages[0].text == "Regel één\nRegel twee"
    md = extract(ff.make_text(tmp_path / "gids.md", "# Gids voor de raad\n\nTekst met accenten: é è ë."))
    assert md.title == "Gids voor de raad" and "é è ë" in md.text
    legacy = extract(ff.make_text(tmp_path / "oud.txt", "Le règlement du café, été 2024.", encoding="cp1252"))
    assert legacy.text == "Le règlement du café, été 2024."


def test_text_with_binary_content_is_an_encoding_error(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        extract(ff._write(tmp_path / "vreemd.txt", bytes(range(256)) * 4))
    assert err.value.code == "ingest.encoding"


@pytest.mark.parametrize("suffix", [".png", ".jpg", ".tif"])
def test_images_wait_for_ocr(tmp_path: Path, suffix: str) -> None:
    result = extract(ff.make_image(tmp_path / f"foto{suffix}"))
    assert result.kind == "image" and result.needs_ocr and result.pages == []
    assert result.mime.startswith("image/")


def test_raw_library_errors_are_wrapped(tmp_path: Path) -> None:
    docx = ff.make_docx(tmp_path / "x.docx")
    import zipfile

    # A valid ZIP with word/document.xml that is not XML: python-docx raises lxml errors.
    broken = tmp_path / "kapot.docx"
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, b"<<<not xml" if item.filename == "word/document.xml" else src.read(item))
    with pytest.raises(IngestError) as err:
        extract(broken)
    assert err.value.code == "ingest.corrupt" and err.value.hint
    broken_xlsx = ff._write(tmp_path / "kapot.xlsx", ff._zip_bytes())
    with pytest.raises(IngestError) as err:
        extract(broken_xlsx)
    assert err.value.code == "ingest.corrupt"
