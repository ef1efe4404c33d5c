"""A redacted export holds none of the redacted strings: not in any text layer, image or metadata."""

from __future__ import annotations

import functools
import io
import json
import shutil
import zlib
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pytest

from appliance.errors import BelfortError
from appliance.privacy.pii import detect_pii
from appliance.privacy.redaction import export_redacted, page_texts, propose
from tests.filefactory import make_pdf
from tests.scanfactory import write_scanned_pdf

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed (ops/setup.sh)")

SECRET_NN = "85.07.30-033.28"  # a checksum-valid rijksregisternummer
SECRET_IBAN = "BE68 5390 0754 7034"
LETTER = [
    (
        "Gemeente Belveld - antwoord op uw verzoek tot openbaarheid\n"
        f"Betrokkene: mevrouw Hilde Vermeersch, rijksregisternummer {SECRET_NN}.\n"
        f"De terugbetaling gebeurt op rekening {SECRET_IBAN}.\n"
        "Het college besliste op 3 juni over de aanvraag voor de Kerkstraat."
    ),
]


def _everything_in(pdf_path: Path) -> str:
    """All text layers, all stream contents (decoded images included) and all metadata, as one string."""
    out = []
    doc = pdfium.PdfDocument(str(pdf_path))
    out += [page.get_textpage().get_text_range() for page in doc]
    doc.close()
    with pikepdf.open(pdf_path) as pdf:
        out.append(repr(dict(pdf.docinfo)))
        out.append(str(pdf.open_metadata()))
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    data = obj.read_bytes()
                except pikepdf.PdfError:
                    data = obj.read_raw_bytes()
                out.append(data.decode("latin-1"))
                try:
                    out.append(zlib.decompress(obj.read_raw_bytes()).decode("latin-1"))
                except zlib.error:
                    pass
    return "\n".join(out)


def _ocr_of_images(pdf_path: Path) -> str:
    """What a reader would get by OCRing every image in the output: the burnt pixels must hold nothing."""
    from models.tesseract import TesseractOcr

    texts = []
    with pikepdf.open(pdf_path) as pdf:
        for i, page in enumerate(pdf.pages):
            for name, raw in page.images.items():
                image = pikepdf.PdfImage(raw).as_pil_image()
                buf = io.BytesIO()
                image.save(buf, format="PNG")
                target = pdf_path.with_name(f"img-{i}-{str(name).strip('/')}.png")
                target.write_bytes(buf.getvalue())
                texts.append(TesseractOcr().ocr_image(target).text)
    return "\n".join(texts)


def _compact(text: str) -> str:
    return "".join(ch for ch in text if ch.isalnum())


@pytest.mark.parametrize("kind", ["text_layer", "scan"])
def test_redacted_export_holds_no_trace_of_redacted_strings(tmp_path: Path, kind: str) -> None:
    source = tmp_path / "brief.pdf"
    if kind == "text_layer":
        make_pdf(source, LETTER, title="Dossier Hilde Vermeersch")
    else:
        write_scanned_pdf(source, LETTER)
    detect = functools.partial(detect_pii, entities=["BE_NATIONAL_NUMBER", "IBAN", "PERSON"])
    proposals = propose(page_texts(source), detect, min_score=0.0)
    found = {p.entity_type for p in proposals}
    assert {"BE_NATIONAL_NUMBER", "IBAN", "PERSON"} <= found, found

    out = tmp_path / "publiek.pdf"
    log_path = export_redacted(source, proposals, out, actor="archivaris")
    dump = _everything_in(out)
    ocr = _ocr_of_images(out)
    for secret in (SECRET_NN, SECRET_IBAN, "Vermeersch"):
        for haystack in (dump, ocr):
            assert _compact(secret) not in _compact(haystack), f"{secret} survived"
    # The rest of the letter is still there and searchable in the rebuilt text layer.
    layer = " ".join(pdfium.PdfDocument(str(out))[0].get_textpage().get_text_range().split())
    assert "Kerkstraat" in layer

    log = json.loads(log_path.read_text("utf-8"))
    assert log["exported_by"] == "archivaris"
    assert {r["entity_type"] for r in log["redactions"]} == found
    assert all(r["ground"] == "privacy" and r["ground_label"] for r in log["redactions"])
    assert _compact(SECRET_NN) not in _compact(log_path.read_text("utf-8"))  # the log names no data


def test_rejected_proposals_stay_and_unknown_ground_is_refused(tmp_path: Path) -> None:
    source = make_pdf(tmp_path / "brief.pdf", LETTER)
    detect = functools.partial(detect_pii, entities=["IBAN"])
    proposals = propose(page_texts(source), detect)
    assert len(proposals) == 1
    proposals[0].accepted = False  # the reviewer rejected it
    out = tmp_path / "publiek.pdf"
    export_redacted(source, proposals, out, actor="archivaris")
    layer = _compact(pdfium.PdfDocument(str(out))[0].get_textpage().get_text_range())
    assert _compact(SECRET_IBAN) in layer

    proposals[0].accepted, proposals[0].ground = True, "because-i-say-so"
    with pytest.raises(BelfortError) as err:
        export_redacted(source, proposals, out, actor="archivaris")
    assert err.value.code == "redact.unknown_ground"
