"""Hostile PDFs, images, mail, Outlook messages, text, HTML, CSV and audio, built in memory.

Hand-written bytes where a library would refuse to write the lie (a page tree that points at itself,
an IHDR of 40000x40000 pixels, a TIFF whose IFD chain loops).
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from email.message import EmailMessage

from tests.filefactory import eml_bytes
from tests.filefactory_raw import _chunk, pdf_bytes

PAGE = "Gemeenteraad van Belfort: de raad keurt het reglement op de fietsenstalling goed."


def seeded_noise(n: int, seed: int = 19) -> bytes:
    return random.Random(seed).randbytes(n)


def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from numbered object bodies (1-based), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: str = "") -> bytes:
    return f"<< /Length {len(data)} {extra}>>\nstream\n".encode() + data + b"\nendstream"


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
TEXT = _stream(b"BT /F1 12 Tf 50 700 Td (Fietsenstalling reglement goedgekeurd door de raad) Tj ET")
TEXT_PAGE = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
             b"/Resources << /Font << /F1 5 0 R >> >> >>")


def pdf_page_tree_cycle() -> bytes:
    """/Pages whose Kids holds the /Pages node itself next to a real page."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                    TEXT_PAGE, TEXT, FONT])


def pdf_many_pages(count: int = 5000) -> bytes:
    """One page object listed `count` times: a small file that claims thousands of pages."""
    kids = b" ".join([b"3 0 R"] * count)
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                    b"<< /Type /Pages /Kids [" + kids + b"] /Count " + str(count).encode() + b" >>",
                    TEXT_PAGE, TEXT, FONT])


def pdf_deep_nesting(depth: int = 50_000) -> bytes:
    deep = b"[" * depth + b"]" * depth
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R /Deep " + deep + b" >>",
                    b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
                    b"/Resources << /Font << /F1 5 0 R >> /Deep " + deep + b" >> >>", TEXT, FONT])


def pdf_flate_bomb(mb: int = 64) -> bytes:
    """A content stream that inflates to `mb` MiB of spaces (about 1000:1)."""
    packer = zlib.compressobj(9)
    block = b" " * (1 << 20)
    packed = b"".join(packer.compress(block) for _ in range(mb)) + packer.flush()
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
                    _stream(packed, "/Filter /FlateDecode ")])


def pdf_huge_page() -> bytes:
    """A page of 14400 x 14400 points with a 40000 x 40000 image whose data is missing."""
    image = _stream(zlib.compress(b"\x00" * 1000), "/Type /XObject /Subtype /Image /Width 40000 /Height 40000 "
                    "/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode ")
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] /Contents 4 0 R "
                     b"/Resources << /XObject << /Im1 5 0 R >> >> >>"),
                    _stream(b"q 14400 0 0 14400 0 0 cm /Im1 Do Q"), image])


def pdf_truncated() -> bytes:
    data = pdf_bytes([PAGE, PAGE])
    return data[: len(data) // 2]


def pdf_bad_xref() -> bytes:
    data = bytearray(pdf_bytes([PAGE]))
    at = data.find(b"xref\n")
    data[at + 30:at + 90] = b"9" * 60  # offsets that point past the end of the file
    return bytes(data)


# -- images -----------------------------------------------------------------------------------------

def png_header(width: int, height: int, idat: bytes = b"") -> bytes:
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + _chunk(b"IDAT", idat or zlib.compress(b"\x00" * 64)) + _chunk(b"IEND", b""))


def tiff_ifd_loop() -> bytes:
    """A TIFF whose IFD points at itself as the next IFD."""
    entries = [(256, 3, 16), (257, 3, 16), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 8),
               (277, 3, 1), (278, 3, 16), (279, 4, 256)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val))
        for tag, typ, val in entries) + struct.pack("<I", 8)
    return b"II*\x00" + struct.pack("<I", 8) + ifd + b"\x80" * 256


def tiff_header(width: int, height: int) -> bytes:
    """A TIFF whose one strip is missing: only its dimensions are real."""
    entries = [(256, 4, width), (257, 4, height), (258, 3, 8), (259, 3, 1), (262, 3, 1), (273, 4, 0),
               (277, 3, 1), (278, 4, height), (279, 4, 0)]
    ifd = struct.pack("<H", len(entries)) + b"".join(
        struct.pack("<HHI", tag, typ, 1) + (struct.pack("<HH", val, 0) if typ == 3 else struct.pack("<I", val))
        for tag, typ, val in entries) + struct.pack("<I", 0)
    return b"II*\x00" + struct.pack("<I", 8) + ifd


def jpeg_header(width: int, height: int) -> bytes:
    """The tiny JPEG with its frame header rewritten to `width` x `height`."""
    from tests.filefactory_raw import TINY_JPEG

    data = bytearray(TINY_JPEG)
    sof = data.find(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)


def jpeg_truncated() -> bytes:
    from tests.filefactory_raw import TINY_JPEG

    return TINY_JPEG[:40]


# -- mail -----------------------------------------------------------------------------------------

def eml_nested(depth: int = 40) -> bytes:
    """A mail forwarding a mail forwarding a mail ... `depth` levels deep (message/rfc822 parts)."""
    from email import message_from_bytes, policy

    inner = message_from_bytes(eml_bytes("Niveau 0", PAGE), policy=policy.default)
    for level in range(1, depth + 1):
        message = EmailMessage()
        message["Subject"] = f"Fw: niveau {level}"
        message["From"] = "doorsturen@belfort.example"
        message.set_content(f"Doorgestuurd, niveau {level}.")
        message.add_attachment(inner, filename=f"niveau-{level - 1}.eml")
        inner = message
    return inner.as_bytes()


def eml_deep_multipart(depth: int = 3000) -> bytes:
    """Multiparts nested thousands deep (boundaries inside boundaries)."""
    head = b"From: a@belfort.example\nSubject: diep\nMIME-Version: 1.0\n"
    body = b"Content-Type: text/plain\n\n" + PAGE.encode() + b"\n"
    for level in range(depth):
        b = f"b{level}".encode()
        body = b'Content-Type: multipart/mixed; boundary="' + b + b'"\n\n--' + b + b"\n" + body + b"--" + b + b"--\n"
    return head + body


def eml_many_attachments(count: int = 60) -> bytes:
    return eml_bytes("Veel bijlagen", PAGE, [(f"bijlage-{n}.txt", b"kort") for n in range(count)])


def eml_bad_charsets() -> bytes:
    return (b"From: =?x-unknown?B?////?= <a@belfort.example>\nSubject: =?utf-8?Q?caf=C3?= =?utf-7?B?+AOk-?=\n"
            b"MIME-Version: 1.0\nContent-Type: text/plain; charset=x-does-not-exist\n"
            b"Content-Transfer-Encoding: 8bit\n\nCaf\xe9 \xff\xfe ferm\xe9 \xc3\x28\n")


def eml_hostile_names() -> bytes:
    names = ["../../../../etc/passwd", "..\\..\\windows\\win.ini", "a" * 5000 + ".txt",
             "/absolute.txt", ".verborgen", "con.txt", "\u202egnp.exe"]
    return eml_bytes("Namen", PAGE, [(name, b"inhoud") for name in names])


def eml_header_bomb() -> bytes:
    subject = " ".join(["=?utf-8?B?" + "w6k=" + "?="] * 20_000)
    return eml_bytes("x", PAGE).replace(b"Subject: x", b"Subject: " + subject.encode(), 1)


def eml_base64_garbage() -> bytes:
    return (b"From: a@belfort.example\nSubject: kapot\nMIME-Version: 1.0\n"
            b'Content-Type: multipart/mixed; boundary="X"\n\n--X\nContent-Type: text/plain\n\nTekst.\n'
            b'--X\nContent-Type: application/pdf\nContent-Disposition: attachment; filename="a.pdf"\n'
            b"Content-Transfer-Encoding: base64\n\n!!!!not base64 at all====\xff\n--X")


def msg_nested(depth: int = 4) -> bytes:
    """An Outlook message that embeds a message that embeds a message ..."""
    import tempfile
    from pathlib import Path

    from tests.filefactory import make_msg

    with tempfile.TemporaryDirectory() as tmp:
        path = make_msg(Path(tmp) / "m.msg", embedded=[("Fw: " * depth + "binnenste", PAGE)] * 3)
        return path.read_bytes()


def msg_garbage() -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + seeded_noise(4096)


def msg_fat_loop() -> bytes:
    """A compound file header whose FAT sector chain points at itself."""
    header = bytearray(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    struct.pack_into("<HHHH", header, 24, 0x3E, 3, 0xFFFE, 9)  # minor, major, byte order, sector shift
    struct.pack_into("<IIII", header, 44, 1, 0, 0, 0x1000)  # one FAT sector, directory at sector 0
    struct.pack_into("<I", header, 76, 0)  # first DIFAT entry: the FAT is sector 0 ...
    header[80:512] = b"\xff" * 432
    fat = struct.pack("<I", 0) * 128  # ... and sector 0 chains to sector 0 forever
    return bytes(header) + fat + b"\x00" * 512


# -- text, HTML, CSV -------------------------------------------------------------------------------

def html_comment_storm(n: int = 60) -> bytes:
    """Empty comments before anything else: a backtracking 'is this HTML?' pattern explodes on them."""
    return b"<!---->" * n + b"<p>Nieuws uit de gemeente</p>"


def html_deep(depth: int = 100_000) -> bytes:
    return b"<html><body>" + b"<div>" * depth + PAGE.encode() + b"</div>" * depth + b"</body></html>"


def html_spaced_spans(count: int = 100_000) -> bytes:
    """Inline elements separated by spaces only: one long run of whitespace once the tags are gone."""
    return b"<html><body><p>begin" + b"<span> </span>" * count + b"einde</p></body></html>"


def html_unclosed_comment() -> bytes:
    return b"<html><body><p>Begin</p><!--" + b"- -- ---" * 100_000 + b"</body></html>"


def csv_huge_field() -> bytes:
    return b'kolom;"' + b"x" * 400_000 + b"\n" + b"a;b\n" * 10


def csv_many_columns() -> bytes:
    return (b";".join([b"k"] * 50_000) + b"\r\n") * 4


def text_one_long_line(size: int = 2_000_000) -> bytes:
    return (b"Belfort" * (size // 7))[:size]


def text_utf16_odd() -> bytes:
    return b"\xff\xfe" + "Gemeente".encode("utf-16-le") + b"\x00"


def text_zalgo() -> bytes:
    return ("e" + "\u0301" * 50_000 + " bidi \u202e\u2066 " + "\ufffd" * 1000).encode()


def text_mixed_encodings() -> bytes:
    return "Café".encode() + b" " + "Café".encode("cp1252") + b" " + "Café".encode("utf-16") + b" \xc3\x28"


# -- audio ----------------------------------------------------------------------------------------

def wav_header(data_size: int, *, rate: int = 16_000, payload: bytes = b"") -> bytes:
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    return (b"RIFF" + struct.pack("<I", 36 + data_size) + b"WAVEfmt " + struct.pack("<I", 16) + fmt
            + b"data" + struct.pack("<I", data_size) + payload)


def wav_lying_length() -> bytes:
    """Claims 0xFFFFFF00 bytes (37 hours) of samples and carries 64."""
    return wav_header(0xFFFFFF00, payload=b"\x00" * 64)


def wav_zero_rate() -> bytes:
    return wav_header(3200, rate=0, payload=b"\x01\x00" * 1600)


def mp3_garbage() -> bytes:
    return b"ID3\x04\x00\x00\x00\x00\x00\x00" + seeded_noise(8192, seed=3)


def ogg_truncated() -> bytes:
    return b"OggS\x00\x02" + b"\x00" * 20


def zip_of(data: bytes, name: str) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return buffer.getvalue()
