"""Render text to scan-like A4 page images (300 dpi, light noise, blur, skew) with exact ground truth.

Used by OCR tests, `bench/ocr_bench.py` and to build `belfort eval ocr` sets from the council texts.
"""

from __future__ import annotations

import random
import textwrap
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

A4_300DPI = (2480, 3508)
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def layout_lines(text: str, width_chars: int = 70, max_lines: int = 55) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        para = " ".join(para.split())
        if not para:
            continue
        lines += textwrap.wrap(para, width_chars)
    return lines[:max_lines]


def render_page(
    lines: list[str], *, seed: int = 0, skew_deg: float = 0.8, noise: float = 0.03, blur: float = 0.6,
    font_px: int = 42, rotate: int = 0, ink: int = 0, paper: int = 255, photo: float = 0.0,
) -> Image.Image:
    """A white A4 page at 300 dpi with the lines in black, then scan artefacts. `ink`/`paper` set the
    grey levels (a faded copy: ink 140, paper 200); `photo` (0..1) adds what a phone picture of a page
    has: uneven light, sensor grain and JPEG compression."""
    rng = random.Random(seed)
    img = Image.new("L", A4_300DPI, paper)
    draw = ImageDraw.Draw(img)
    font = _font(font_px)
    y = 220
    for line in lines:
        draw.text((200, y), line, font=font, fill=min(paper, ink + rng.randint(0, 40)))
        y += int(font_px * 1.45)
    if skew_deg:
        img = img.rotate(rng.uniform(-skew_deg, skew_deg), resample=Image.BICUBIC, fillcolor=255, expand=False)
    if blur:
        img = img.filter(ImageFilter.GaussianBlur(blur))
    if noise:
        px = img.load()
        w, h = img.size
        for _ in range(int(w * h * noise / 20)):
            x, yy = rng.randrange(w), rng.randrange(h)
            px[x, yy] = rng.choice((0, 90, 200, 255))  # type: ignore[index]
    if photo:
        img = _photographed(img, photo, rng)
    if rotate:
        img = img.rotate(rotate, expand=True, fillcolor=255)
    return img


def _photographed(img: Image.Image, strength: float, rng: random.Random) -> Image.Image:
    """Uneven light (a shadow falling across the page), grain and a JPEG round trip."""
    import io

    import numpy as np

    w, h = img.size
    nprng = np.random.default_rng(rng.randrange(2**32))
    xs, ys = np.meshgrid(np.linspace(0.0, 1.0, w), np.linspace(0.0, 1.0, h))
    light = 1.0 - strength * 0.45 * (0.6 * xs + 0.4 * ys)  # darker towards one corner
    pixels = np.asarray(img, dtype=np.float32) * light + nprng.normal(0.0, 18.0 * strength, (h, w))
    out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    buf = io.BytesIO()
    out.save(buf, "JPEG", quality=max(20, int(70 - 40 * strength)))
    return Image.open(io.BytesIO(buf.getvalue())).convert("L")


def write_page(path: Path, text: str, **kw: object) -> str:
    """Render `text` to `path` (PNG/TIFF/JPEG by suffix); returns the exact ground truth written."""
    lines = layout_lines(text)
    render_page(lines, **kw).save(path, dpi=(300, 300))  # type: ignore[arg-type]
    truth = "\n".join(lines)
    path.with_suffix(".txt").write_text(truth + "\n", "utf-8")
    return truth


def write_scanned_pdf(path: Path, pages: list[str], **kw: object) -> list[str]:
    """A PDF holding only page images (no text layer), like a scanner makes."""
    truths, images = [], []
    for i, text in enumerate(pages):
        lines = layout_lines(text)
        truths.append("\n".join(lines))
        images.append(render_page(lines, seed=i, **kw).convert("RGB"))  # type: ignore[arg-type]
    images[0].save(path, save_all=True, append_images=images[1:], resolution=300.0)
    return truths
