"""True redaction for public-access requests (openbaarheid van bestuur).

Proposals come from PII detection on each page's text, with boxes from the PDF's own text layer or,
for scans, from Tesseract's word boxes. The export rasterises every page, burns the accepted boxes
into the pixels and rebuilds the text layer by OCR from those pixels: the redacted text, the
original images and the original metadata are gone, not hidden. A redaction log (who, when, what
type, which ground; never the redacted text) goes with the export.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from appliance.ai_label import AI_HEADER, KEYWORD, AiLabel
from appliance.errors import BelfortError
from appliance.ocr import images_to_pdf
from appliance.privacy.pii import PiiSpan
from appliance.settings import PiiSettings
from ingest.detect import sha256_file

RENDER_DPI = 200
PAD_PT = 1.5  # boxes grow a little so that no ascender or descender pixel survives



@dataclass
class Box:
    x0: float  # PDF points, origin bottom-left (as in the PDF)
    y0: float
    x1: float
    y1: float


@dataclass
class Proposal:
    page: int
    start: int  # offsets in that page's text
    end: int
    entity_type: str
    score: float
    boxes: list[Box] = field(default_factory=list)
    source: str = "auto"  # auto | manual
    ground: str = "privacy"
    accepted: bool = False


@dataclass
class PageText:
    number: int
    text: str
    width: float  # points
    height: float
    char_boxes: list[Box | None]  # one per character of text (None for generated spaces/newlines)


def as_pdf(source: Path, tmp: Path) -> Path:
    """The source itself when it is a PDF (by content, not name), else its image pages as a PDF in tmp."""
    with source.open("rb") as fh:
        if fh.read(5) == b"%PDF-":
            return source
    out = tmp / "source.pdf"
    images_to_pdf(source, out)
    return out


def page_texts(pdf_path: Path, *, languages: Sequence[str] = ("nld", "fra")) -> list[PageText]:
    """Each page's text with a box per character: from the text layer, or from OCR word boxes."""
    with tempfile.TemporaryDirectory(prefix="belfort-redact-") as tmp:
        return _page_texts(as_pdf(pdf_path, Path(tmp)), languages)


def _page_texts(pdf_path: Path, languages: Sequence[str]) -> list[PageText]:
    doc = _open_pdf(pdf_path)
    pages: list[PageText] = []
    try:
        for index, page in enumerate(doc):
            width, height = page.get_size()
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            if len(text.strip()) >= 25:
                boxes: list[Box | None] = []
                for i, ch in enumerate(text):
                    if ch.isspace():
                        boxes.append(None)
                        continue
                    left, bottom, right, top = textpage.get_charbox(i)
                    boxes.append(Box(left, bottom, right, top))
                pages.append(PageText(index + 1, text, width, height, boxes))
            else:
                pages.append(_ocr_page_text(page, index + 1, width, height, languages))
    finally:
        doc.close()
    return pages


def _open_pdf(path: Path):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise BelfortError("redact.encrypted", "the PDF is password-protected",
                               hint="ask the owner for an unprotected copy") from None
        raise BelfortError("redact.corrupt", "the PDF cannot be read", hint="check the file") from None


def _ocr_page_text(page, number: int, width: float, height: float,  # type: ignore[no-untyped-def]
                   languages: Sequence[str]) -> PageText:
    from models.tesseract import require_languages

    require_languages(languages)
    scale = 300 / 72
    with tempfile.TemporaryDirectory() as tmp:
        image = Path(tmp) / "page.png"
        page.render(scale=scale).to_pil().save(image)
        tsv = subprocess.run(["tesseract", str(image), "stdout", "-l", "+".join(languages), "tsv"],
                             capture_output=True, text=True, check=False, timeout=300).stdout
    parts: list[str] = []
    boxes: list[Box | None] = []
    last_line = None
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        word = (row.get("text") or "").strip()
        if row.get("level") != "5" or not word:
            continue
        line = (row["block_num"], row["par_num"], row["line_num"])
        if parts:
            parts.append("\n" if line != last_line else " ")
            boxes.append(None)
        last_line = line
        left, top = int(row["left"]) / scale, int(row["top"]) / scale
        right, bottom = left + int(row["width"]) / scale, top + int(row["height"]) / scale
        box = Box(left, height - bottom, right, height - top)  # image (top-left) to PDF (bottom-left)
        parts.append(word)
        boxes.extend([box] * len(word))
    return PageText(number, "".join(parts), width, height, boxes)


def propose(pages: Sequence[PageText], detect: Callable[[str], list[PiiSpan]], *,
            min_score: float = 0.0, ground: str = "privacy") -> list[Proposal]:
    """Redaction proposals for every PII span, with the boxes that cover it on the page."""
    proposals = []
    for page in pages:
        for span in detect(page.text):
            boxes = boxes_for(page, span.start, span.end)
            if boxes:
                proposals.append(Proposal(page.number, span.start, span.end, span.entity_type, span.score, boxes,
                                          ground=ground, accepted=span.score >= min_score))
    return proposals


def boxes_for(page: PageText, start: int, end: int) -> list[Box]:
    """One box per line of the span: the union of its characters' boxes."""
    lines: list[Box] = []
    for box in page.char_boxes[start:end]:
        if box is None:
            continue
        last = lines[-1] if lines else None
        same_line = last is not None and abs((last.y0 + last.y1) / 2 - (box.y0 + box.y1) / 2) < (box.y1 - box.y0)
        if last is not None and same_line:
            lines[-1] = Box(min(last.x0, box.x0), min(last.y0, box.y0), max(last.x1, box.x1), max(last.y1, box.y1))
        else:
            lines.append(Box(box.x0, box.y0, box.x1, box.y1))
    return lines


def export_redacted(source: Path, proposals: Sequence[Proposal], out: Path, *, actor: str,
                    grounds: dict[str, str] | None = None, languages: Sequence[str] = ("nld", "fra"),
                    reviewer: str = "", ai: AiLabel | None = None) -> Path:
    """Write the redacted PDF to `out` and its log to `out` + '.redactions.json'. Returns the log path."""
    from PIL import ImageDraw

    grounds = grounds or PiiSettings().grounds  # the organisation's list comes from settings
    accepted = [p for p in proposals if p.accepted]
    for p in accepted:
        if p.ground not in grounds:
            raise BelfortError("redact.unknown_ground", f"unknown legal ground '{p.ground}'",
                               hint="choose one of: " + ", ".join(sorted(grounds)))
    scale = RENDER_DPI / 72
    with tempfile.TemporaryDirectory(prefix="belfort-redact-") as tmp:
        doc = _open_pdf(as_pdf(source, Path(tmp)))
        images = []
        try:
            for index, page in enumerate(doc):
                _, height = page.get_size()
                image = page.render(scale=scale).to_pil().convert("RGB")
                draw = ImageDraw.Draw(image)
                for p in accepted:
                    if p.page != index + 1:
                        continue
                    for b in p.boxes:
                        draw.rectangle([(b.x0 - PAD_PT) * scale, (height - b.y1 - PAD_PT) * scale,
                                        (b.x1 + PAD_PT) * scale, (height - b.y0 + PAD_PT) * scale], fill="black")
                images.append(image)
        finally:
            doc.close()
        burnt = Path(tmp) / "burnt.pdf"
        images[0].save(burnt, save_all=True, append_images=images[1:], resolution=float(RENDER_DPI))
        _rebuild_text_layer(burnt, out, languages, ai)
    log_path = out.with_name(out.name + ".redactions.json")
    now = datetime.now(UTC).isoformat(timespec="seconds")
    log = {
        "source_sha256": sha256_file(source), "exported_at": now, "exported_by": actor, "reviewed_by": reviewer,
        "redactions": [{"page": p.page, "entity_type": p.entity_type, "ground": p.ground,
                        "ground_label": grounds[p.ground], "source": p.source, "score": p.score,
                        "decided_by": actor, "at": now} for p in accepted],
    }
    log_path.write_text(json.dumps(log, ensure_ascii=False, indent=2), "utf-8")
    return log_path


def _rebuild_text_layer(burnt: Path, out: Path, languages: Sequence[str], ai: AiLabel | None = None) -> None:
    import ocrmypdf

    from models.tesseract import require_languages

    require_languages(languages)
    ocrmypdf.ocr(burnt, out, language=list(languages), force_ocr=True, output_type="pdf", jobs=1,
                 progress_bar=False, optimize=0)
    import pikepdf

    with pikepdf.open(out, allow_overwriting_input=True) as pdf:  # no producer trail, no XMP
        for key in list(pdf.docinfo.keys()):
            del pdf.docinfo[key]
        if "/Metadata" in pdf.Root:
            del pdf.Root.Metadata
        if ai is not None:  # the AI label, and nothing of the source's own metadata
            pdf.docinfo["/Keywords"] = pikepdf.String(KEYWORD)
            pdf.docinfo["/Subject"] = pikepdf.String(ai.text)
            pdf.docinfo[f"/{AI_HEADER}"] = pikepdf.String(ai.header())
        pdf.save(out)


def proposals_json(proposals: Sequence[Proposal]) -> list[dict[str, object]]:
    return [asdict(p) for p in proposals]
