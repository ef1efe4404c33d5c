"""RapidOCR: PaddleOCR PP-OCRv6 ONNX models bundled in the `rapidocr` wheel (no download); onnxruntime
uses a GPU when the hardware profile has one."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

from models.base import ModelError, OcrPage


class RapidOcr:
    name = "rapidocr"

    def __init__(self) -> None:
        try:
            from rapidocr import RapidOCR
        except ImportError:
            raise ModelError("ocr.missing_engine", "rapidocr is not installed",
                             hint="pip install rapidocr==3.10.0 onnxruntime") from None
        self._engine = RapidOCR()
        self._lock = threading.Lock()  # one inference at a time per loaded model

    def ocr_image(self, image: Path, *, languages: Sequence[str] = ()) -> OcrPage:
        from rapidocr.utils.output import RapidOCROutput  # loaded with the engine already

        with self._lock:
            result = self._engine(str(image))
        if not isinstance(result, RapidOCROutput):  # a step found nothing to pass on: no text here
            return OcrPage(number=1, text="", confidence=0.0, engine=self.name)
        texts = list(result.txts or ())
        scores = [float(s) for s in (result.scores or ())]
        boxes = [] if result.boxes is None else result.boxes.tolist()
        return OcrPage(number=1, text=_reading_order(texts, boxes),
                       confidence=sum(scores) / len(scores) if scores else 0.0, engine=self.name)


def _reading_order(texts: list[str], boxes: list[list[list[float]]]) -> str:
    """Join detected text lines top to bottom, left to right; boxes on one baseline form one line."""
    if not boxes:
        return "\n".join(texts)
    items = sorted(zip(texts, boxes), key=lambda tb: (tb[1][0][1], tb[1][0][0]))
    lines: list[list[tuple[float, str]]] = []
    last_y = None
    for text, box in items:
        y, height = box[0][1], max(1.0, box[3][1] - box[0][1])
        if last_y is None or abs(y - last_y) > height * 0.5:
            lines.append([])
            last_y = y
        lines[-1].append((box[0][0], text))
    return "\n".join(" ".join(t for _, t in sorted(line)) for line in lines)
