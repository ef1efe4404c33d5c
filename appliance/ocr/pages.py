"""What the OCR engines are handed: the image types read directly, and PDF pages rendered to images."""

from __future__ import annotations

from typing import Any

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif", ".webp")
MAX_OCR_PIXELS = 60_000_000  # larger images (up to MAX_IMAGE_PIXELS, else refused) are scaled down to this


def page_image(page: Any) -> Any:
    """A PDF page (pypdfium2) as a PIL image at 300 dpi, or smaller where that would pass MAX_OCR_PIXELS."""
    width, height = page.get_size()  # points; a PDF page may claim 200 x 200 inches
    scale = min(300 / 72, (MAX_OCR_PIXELS / max(width * height, 1.0)) ** 0.5)
    return page.render(scale=scale).to_pil()
