"""Small hostile files, made on the fly: decompression bombs (PNG, TIFF), zip bombs and XML bombs in
office files. Each is KBs on disk and enormous once parsed; none is checked in."""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path

from tests.filefactory import make_docx, make_odt, make_xlsx


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(path: Path, width: int, height: int) -> Path:
    """A white 1-bit PNG of width x height, streamed row by row (never held in memory): 40000 x 40000
    is about 200 MB of pixel rows and ~200 KB on disk; decoded as RGB it is 4.8 GB."""
    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte 0, then white pixels
    packer = zlib.compressobj(9)
    idat = bytearray()
    rows_per_block = max(1, (1 << 22) // len(row))
    block = row * rows_per_block
    done = 0
    while done < height:
        n = min(rows_per_block, height - done)
        idat += packer.compress(block if n == rows_per_block else row * n)
        done += n
    idat += packer.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # bit depth 1, greyscale
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", bytes(idat))
                     + _chunk(b"IEND", b""))
    return path


def _replace_member(path: Path, name: str, data: bytes) -> Path:
    members = {}
    with zipfile.ZipFile(path) as zf:
        for info in zf.infolist():
            members[info.filename] = zf.read(info)
    members[name] = data
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for member, body in members.items():
            zf.writestr(member, body, zipfile.ZIP_STORED if member == "mimetype" else zipfile.ZIP_DEFLATED)
    return path


_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def docx_xml_bomb(path: Path, megabytes: int = 17) -> Path:
    """A real DOCX whose word/document.xml is `megabytes` of tiny paragraphs: ~50 KB on disk, inflating
    more than 300 times (the review's file: 50 KB, 17 MB of XML, 408 MB and 62 s of CPU in python-docx)."""
    make_docx(path)
    para = b"<w:p><w:r><w:t>ja</w:t></w:r></w:p>"
    count = megabytes * (1 << 20) // len(para)
    body = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{_W}"><w:body>'
            .encode() + para * count + b"</w:body></w:document>")
    return _replace_member(path, "word/document.xml", body)


def docx_many_elements(path: Path, paragraphs: int = 1_200_000) -> Path:
    """A DOCX under the ratio limit (varied text compresses less) but with more XML elements than any
    document has: the streamed element count refuses it before python-docx builds its tree."""
    make_docx(path)
    parts = [f"<w:p><w:r><w:t>{i * 7919 % 1000003:x}</w:t></w:r></w:p>".encode() for i in range(paragraphs // 3)]
    body = (f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{_W}"><w:body>'.encode()
            + b"".join(parts) + b"</w:body></w:document>")
    return _replace_member(path, "word/document.xml", body)


def docx_billion_laughs(path: Path) -> Path:
    """The classic entity expansion, inside word/document.xml."""
    make_docx(path)
    lol = '<!ENTITY a0 "lol">' + "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 10))
    body = (f'<?xml version="1.0"?><!DOCTYPE w:document [{lol}]><w:document xmlns:w="{_W}"><w:body><w:p><w:r>'
            f"<w:t>&a9;</w:t></w:r></w:p></w:body></w:document>").encode()
    return _replace_member(path, "word/document.xml", body)


def deep_docx(path: Path, depth: int = 20_000) -> Path:
    """Nesting far beyond what lxml parses without huge_tree (small: under every size check)."""
    make_docx(path)
    body = (f'<?xml version="1.0"?><w:document xmlns:w="{_W}"><w:body>'.encode() + b"<w:sdt>" * depth
            + b"</w:sdt>" * depth + b"</w:body></w:document>")
    return _replace_member(path, "word/document.xml", body)


def zip_bomb_member(path: Path, kind: str = "xlsx", megabytes: int = 64) -> Path:
    """An office file with one extra member of zeros: KBs compressed, `megabytes` inflated (~1000x)."""
    makers: dict[str, Callable[[Path], Path]] = {"xlsx": make_xlsx, "odt": make_odt, "docx": make_docx}
    makers[kind](path)
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as zf, \
            zf.open("media/zeros.bin", "w", force_zip64=True) as fh:  # streamed: never all in memory
        for _ in range(megabytes):
            fh.write(zero)
    return path
