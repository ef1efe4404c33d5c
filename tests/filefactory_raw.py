"""Hand-written PDF, PNG and TIFF writers for test fixtures: no extra dependency, exact control.

PDFs use the standard Helvetica font with WinAnsiEncoding, so Dutch and French accents survive
extraction; encrypted PDFs use the standard security handler (RC4 40-bit, revision 2), which every
reader, pdfium included, understands.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import textwrap
import zlib

_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")
_FILE_ID = hashlib.md5(b"belfort test pdf").digest()
# A 16x16 grey JPEG (written once with Pillow) for machines where Pillow is absent.
TINY_JPEG = base64.b64decode(
    "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1x"
    "eXBkeFxlZ2P/wAALCAAQABABAREA/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQR"
    "BRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4"
    "eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEB"
    "AAA/APQKKr3dhZ3uz7ZaQXGzO3zYw+3PXGfoKLSws7Lf9jtILffjd5UYTdjpnH1Nf//Z"
)


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


class _Security:
    """Standard security handler, V1/R2: enough for 'this PDF needs a password'."""

    P = -4

    def __init__(self, user_password: str, owner_password: str) -> None:
        user = (user_password.encode("latin-1") + _PAD)[:32]
        owner = (owner_password.encode("latin-1") + _PAD)[:32]
        self.O = _rc4(hashlib.md5(owner).digest()[:5], user)
        self.key = hashlib.md5(user + self.O + struct.pack("<i", self.P) + _FILE_ID).digest()[:5]
        self.U = _rc4(self.key, _PAD)

    def encrypt(self, objnum: int, data: bytes) -> bytes:
        key = hashlib.md5(self.key + objnum.to_bytes(3, "little") + b"\x00\x00").digest()[:10]
        return _rc4(key, data)

    def dictionary(self) -> bytes:
        return (b"<< /Filter /Standard /V 1 /R 2 /O <" + self.O.hex().encode() + b"> /U <"
                + self.U.hex().encode() + b"> /P " + str(self.P).encode() + b" >>")


class PdfBuilder:
    """Collects objects; strings and streams are encrypted per object when a password is set."""

    def __init__(self, password: str | None = None) -> None:
        self.objects: list[bytes] = []
        self.security = _Security(password, password + "-owner") if password else None

    def reserve(self) -> int:
        self.objects.append(b"")
        return len(self.objects)

    def set(self, num: int, body: bytes) -> None:
        self.objects[num - 1] = body

    def string(self, num: int, text: str) -> bytes:
        raw = text.encode("cp1252", errors="replace")
        if self.security:
            raw = self.security.encrypt(num, raw)
        return b"<" + raw.hex().encode() + b">"

    def stream(self, num: int, data: bytes, extra: bytes = b"") -> None:
        if self.security:
            data = self.security.encrypt(num, data)
        self.set(num, b"<< /Length " + str(len(data)).encode() + b" " + extra + b">>\nstream\n" + data
                 + b"\nendstream")

    def tobytes(self, root: int, info: int | None) -> bytes:
        encrypt_num = None
        if self.security:
            encrypt_num = self.reserve()
            self.set(encrypt_num, self.security.dictionary())
        out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self.objects, start=1):
            offsets.append(len(out))
            out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode()
        for offset in offsets:
            out += f"{offset:010d} 00000 n \n".encode()
        trailer = f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R".encode()
        if info:
            trailer += f" /Info {info} 0 R".encode()
        if encrypt_num:
            trailer += f" /Encrypt {encrypt_num} 0 R".encode()
        trailer += b" /ID [<" + _FILE_ID.hex().encode() + b"> <" + _FILE_ID.hex().encode() + b">] >>\n"
        out += trailer + f"startxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


def _escape(line: str) -> bytes:
    raw = line.encode("cp1252", errors="replace")
    return raw.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")


def _text_stream(text: str) -> bytes:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(textwrap.wrap(paragraph, 88) or [""])
    ops = [b"BT /F1 11 Tf 14 TL 56 790 Td"]
    for line in lines[:54]:
        ops.append(b"(" + _escape(line) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def pdf_bytes(pages: list[str], *, title: str = "", password: str | None = None,
              images: list[tuple[int, int, bytes]] | None = None) -> bytes:
    """A PDF with one page per text; `images` (width, height, 8-bit grey pixels) adds scanned pages."""
    pdf = PdfBuilder(password)
    catalog, tree, font = pdf.reserve(), pdf.reserve(), pdf.reserve()
    info = pdf.reserve() if title else None
    pdf.set(font, b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    if info:
        pdf.set(info, b"<< /Title " + pdf.string(info, title) + b" /Producer " + pdf.string(info, "belfort tests")
                + b" >>")
    kids: list[int] = []
    for text in pages:
        page, content = pdf.reserve(), pdf.reserve()
        pdf.stream(content, _text_stream(text))
        pdf.set(page, f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
                      f"/Resources << /Font << /F1 {font} 0 R >> >> >>".encode())
        kids.append(page)
    for width, height, pixels in images or []:
        page, content, image = pdf.reserve(), pdf.reserve(), pdf.reserve()
        pdf.stream(image, zlib.compress(pixels), f"/Type /XObject /Subtype /Image /Width {width} /Height {height} "
                   "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ".encode())
        pdf.stream(content, b"q 483 0 0 730 56 56 cm /Im1 Do Q")
        pdf.set(page, f"<< /Type /Page /Parent {tree} 0 R /MediaBox [0 0 595 842] /Contents {content} 0 R "
                      f"/Resources << /XObject << /Im1 {image} 0 R >> >> >>".encode())
        kids.append(page)
    pdf.set(catalog, f"<< /Type /Catalog /Pages {tree} 0 R >>".encode())
    pdf.set(tree, f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>".encode())
    return pdf.tobytes(catalog, info)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """8-bit greyscale PNG."""
    rows = b"".join(b"\x00" + pixels[y * width:(y + 1) * width] for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b""))


def tiff_bytes(width: int, height: int, pixels: bytes) -> bytes:
    """Uncompressed 8-bit greyscale baseline TIFF, little-endian."""
    entries = [(256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
               (273, 4, 0), (277, 3, 1), (278, 3, height), (279, 4, len(pixels))]
    ifd_size = 2 + 12 * len(entries) + 4
    data_offset = 8 + ifd_size
    ifd = struct.pack("<H", len(entries))
    for tag, typ, value in entries:
        if tag == 273:
            value = data_offset
        ifd += struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", value, 0) if typ == 3 else struct.pack("<I", value))
    return b"II*\x00" + struct.pack("<I", 8) + ifd + struct.pack("<I", 0) + pixels


def grey_pixels(width: int, height: int, text: str = "") -> bytes:
    """White page with black text when Pillow is there, else dark bars that look like lines of text."""
    try:
        from PIL import Image, ImageDraw, ImageFont
    except ImportError:
        rows = bytearray(b"\xff" * (width * height))
        for top in range(height // 10, height - height // 10, max(4, height // 12)):
            for y in range(top, min(height, top + max(1, height // 40))):
                start = y * width + width // 10
                rows[start:start + width * 8 // 10] = b"\x00" * (width * 8 // 10)
        return bytes(rows)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=max(12, height // 14))
    y = height // 10
    for line in (text or "Belfort").split("\n"):
        draw.text((width // 12, y), line, fill=0, font=font)
        y += max(14, height // 10)
    return image.tobytes()
