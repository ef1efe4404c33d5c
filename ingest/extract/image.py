"""Images (PNG, JPEG, TIFF): stored as they are and marked for OCR, which comes later.

Only the header is read here (Pillow opens lazily): an image whose dimensions no scan has is refused
before anyone decodes it, so a few KB of compressed pixels cannot become gigabytes in the OCR job.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from ingest.cage import IMAGE_TOO_LARGE, MAX_IMAGE_PIXELS, TOO_COMPLEX
from ingest.extract.common import title_from_stem
from ingest.types import Extracted, IngestError

MAX_FRAMES = 2000  # pages of a multi-page TIFF


def extract_image(path: Path, mime: str) -> Extracted:
    width, height, frames = image_header(path)
    meta: dict[str, object] = {"width": width, "height": height}
    if frames > 1:
        meta["frames"] = frames
    return Extracted(kind="image", mime=mime, title=title_from_stem(path), pages=[], needs_ocr=True,
                     meta=meta)


def image_header(path: Path) -> tuple[int, int, int]:
    """(width, height, frames) from the headers; IngestError for a damaged or oversized image."""
    from PIL import Image

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # we refuse below, by name
            with Image.open(path) as img:
                width, height = img.size
                check_pixels(width, height)
                frames = int(getattr(img, "n_frames", 1))  # walks the TIFF directories, not the pixels
    except Image.DecompressionBombError:
        raise image_too_large(0, 0) from None
    except IngestError:
        raise
    except Exception:  # noqa: BLE001 - Pillow raises many types for a damaged header
        raise IngestError("ingest.corrupt", "This image is damaged.",
                          hint="Open it in an image viewer, save it again and retry.") from None
    if frames > MAX_FRAMES:
        raise IngestError(TOO_COMPLEX, f"This image has {frames} pages, more than {MAX_FRAMES}.",
                          hint="Split it into smaller files, or scan to PDF, and retry.")
    return width, height, frames


def check_pixels(width: int, height: int, limit: int = MAX_IMAGE_PIXELS) -> None:
    if width <= 0 or height <= 0:
        raise IngestError("ingest.corrupt", "This image has no pixels.",
                          hint="Open it in an image viewer, save it again and retry.")
    if width * height > limit:
        raise image_too_large(width, height, limit)


def image_too_large(width: int, height: int, limit: int = MAX_IMAGE_PIXELS) -> IngestError:
    size = f"{width} x {height} pixels" if width else "more pixels than Pillow's guard allows"
    return IngestError(IMAGE_TOO_LARGE, f"This image is {size}, above the limit of {limit // 1_000_000} "
                       "million pixels (a 600 dpi A3 scan is 70 million).",
                       hint="Scan at 300 dpi, or scale the image down, and drop it again.")
