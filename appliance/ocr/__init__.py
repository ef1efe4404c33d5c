"""The ocr feature. Its public surface: other packages, the entry points and the CLI import from here."""

from appliance.ocr.caged import ocr_caged
from appliance.ocr.engine import IMAGE_SUFFIXES, OcrPageResult, OcrResult, images_to_pdf, ocr_file

__all__ = [
    "IMAGE_SUFFIXES",
    "OcrPageResult",
    "OcrResult",
    "images_to_pdf",
    "ocr_caged",
    "ocr_file",
]
