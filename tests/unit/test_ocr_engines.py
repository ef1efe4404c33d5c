"""OCR through the real engines (Debian's tesseract with nld/fra data, OCRmyPDF, RapidOCR's bundled
ONNX models) on pages rendered here with exact ground truth."""

from __future__ import annotations

import shutil
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from appliance.errors import BelfortError
from appliance.evaluation.ocr import cer
from appliance.ocr.engine import images_to_pdf, ocr_file, text_quality
from appliance.settings import Settings
from models.base import ModelError
from models.tesseract import require_languages
from tests.scanfactory import layout_lines, render_page, write_page, write_scanned_pdf

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")

LETTER = (
    "Gemeente Belveld\nDienst Omgeving\n"
    "Betreft: uw aanvraag voor een omgevingsvergunning voor het verbouwen van een woning.\n"
    "Geachte mevrouw, wij hebben uw aanvraag op 14 maart goed ontvangen. Het college van burgemeester "
    "en schepenen beslist binnen de wettelijke termijn van 105 dagen. Voor vragen kunt u terecht bij "
    "het omgevingsloket, elke werkdag van 9 tot 12 uur.\nMet vriendelijke groeten, de omgevingsambtenaar."
)
FRENCH = (
    "Commune de Belveld\nService population\nObjet : votre demande de carte d'identité électronique.\n"
    "Madame, Monsieur, nous avons bien reçu votre demande. Le délai de livraison est de trois semaines. "
    "Veuillez vous présenter au guichet muni de votre ancienne carte et d'une photo récente."
)


def test_text_quality_separates_prose_from_garbage() -> None:
    assert text_quality(LETTER) > 0.8
    assert text_quality("x7#q ]]k %%z9 @@ qqq1 zz&8 ;;; 0x1f") < 0.3
    assert text_quality("") == 0.0


def test_scanned_dutch_letter_becomes_text_with_a_pdfa_copy(tmp_path: Path, settings: Settings) -> None:
    truth = write_scanned_pdf(tmp_path / "brief.pdf", [LETTER])
    result = ocr_file(tmp_path / "brief.pdf", settings, pdfa_out=tmp_path / "brief.pdfa.pdf", engine="tesseract")
    assert [p.source for p in result.pages] == ["ocr"]
    errors, chars = cer(truth[0], result.pages[0].text)
    assert errors / chars < 0.02, result.pages[0].text
    assert result.pages[0].confidence > 0.7
    with pikepdf.open(tmp_path / "brief.pdfa.pdf") as pdf:
        meta = pdf.open_metadata()
        assert meta.pdfa_status.startswith("2"), meta.pdfa_status  # PDF/A-2b


def test_french_page_and_sideways_image(tmp_path: Path, settings: Settings) -> None:
    truth = write_page(tmp_path / "lettre.png", FRENCH, rotate=90)
    result = ocr_file(tmp_path / "lettre.png", settings, engine="tesseract")
    errors, chars = cer(truth, result.pages[0].text)
    assert errors / chars < 0.03, result.pages[0].text
    assert "électronique" in result.pages[0].text


def test_garbage_text_layer_falls_back_to_ocr(tmp_path: Path, settings: Settings) -> None:
    truth = write_scanned_pdf(tmp_path / "scan.pdf", [LETTER])
    with pikepdf.open(tmp_path / "scan.pdf") as pdf:  # an invisible, broken text layer over the image
        page = pdf.pages[0]
        font = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                                                    BaseFont=pikepdf.Name.Helvetica))
        page.Resources.Font = pikepdf.Dictionary(F9=font)
        page.contents_add(pdf.make_stream(b"BT /F9 10 Tf 3 Tr 72 700 Td (x7#q ]]k %%z9 qq1 zz&8 0x1f) Tj ET"))
        pdf.save(tmp_path / "garbage.pdf")
    result = ocr_file(tmp_path / "garbage.pdf", settings, engine="tesseract")
    assert result.pages[0].source == "ocr"
    errors, chars = cer(truth[0], result.pages[0].text)
    assert errors / chars < 0.02


def test_multipage_tiff_with_a_broken_page_keeps_the_good_pages(tmp_path: Path) -> None:
    pages = [render_page(layout_lines(t), skew_deg=0, noise=0) for t in ("Pagina een", "Pagina twee")]
    pages[0].save(tmp_path / "ok.tif", save_all=True, append_images=pages[1:])
    data = (tmp_path / "ok.tif").read_bytes()
    (tmp_path / "broken.tif").write_bytes(data[: len(data) - 2000])  # the last page's strips cut off
    notes = images_to_pdf(tmp_path / "ok.tif", tmp_path / "ok.pdf")
    assert notes == []
    notes = images_to_pdf(tmp_path / "broken.tif", tmp_path / "broken.pdf")
    with pikepdf.open(tmp_path / "broken.pdf") as pdf:
        assert len(pdf.pages) + len(notes) == 2 and len(pdf.pages) >= 1


def test_a_600_dpi_a3_scan_is_scaled_and_a_larger_image_refused_unread(tmp_path: Path) -> None:
    # Issue 19: a 20,000 x 20,000 image used to be decoded (with Pillow's guard off) and scaled; now
    # the header alone refuses it. A 600 dpi A3 scan (7016 x 9921, 70 Mpx) still passes, scaled for OCR.
    from tests.hostilefactory import png_bomb

    images_to_pdf(png_bomb(tmp_path / "a3.png", 7016, 9921), tmp_path / "a3.pdf")
    with pikepdf.open(tmp_path / "a3.pdf") as pdf:
        image = next(iter(pdf.pages[0].images.values()))
        assert image.Width * image.Height <= 60_000_000
    with pytest.raises(BelfortError) as err:
        images_to_pdf(png_bomb(tmp_path / "huge.png", 20_000, 20_000), tmp_path / "huge.pdf")
    assert err.value.code == "ocr.image_too_large" and Image.MAX_IMAGE_PIXELS is not None


def test_missing_language_data_names_the_package() -> None:
    with pytest.raises(ModelError) as err:
        require_languages(["nld", "xyz"])
    assert err.value.code == "ocr.missing_language"
    assert "tesseract-ocr-xyz" in err.value.hint


def test_unreadable_image_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    (tmp_path / "kapot.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 50)
    with pytest.raises(BelfortError) as err:
        ocr_file(tmp_path / "kapot.png", settings, engine="tesseract")
    assert err.value.code == "ocr.corrupt_image"


def test_rapidocr_reads_accented_dutch(tmp_path: Path) -> None:
    from models.rapidocr import RapidOcr

    truth = write_page(tmp_path / "p.png", "Café-uitbaters krijgen één jaar overgangsperiode.\nDe coördinatie "
                       "van de werken in de Kerkstraat.", skew_deg=0.3)
    page = RapidOcr().ocr_image(tmp_path / "p.png")
    errors, chars = cer(truth, page.text)
    assert errors / chars < 0.05, page.text
    assert page.confidence > 0.8


def test_encrypted_pdf_is_a_clear_error(tmp_path: Path, settings: Settings) -> None:
    from tests.filefactory import make_encrypted_pdf

    with pytest.raises(BelfortError) as err:
        ocr_file(make_encrypted_pdf(tmp_path / "slot.pdf"), settings, engine="tesseract")
    assert err.value.code == "ocr.encrypted" and err.value.hint


def test_upside_down_page_is_turned_and_read(tmp_path: Path, settings: Settings) -> None:
    truth = write_page(tmp_path / "omgekeerd.png", LETTER, rotate=180)
    result = ocr_file(tmp_path / "omgekeerd.png", settings, engine="tesseract")
    errors, chars = cer(truth, result.pages[0].text)
    assert errors / chars < 0.03, result.pages[0].text
