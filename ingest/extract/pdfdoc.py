"""Titles from a PDF's Info dictionary, repaired where the producer wrote the wrong encoding.

A text string there is PDFDocEncoding or UTF-16BE with a BOM (PDF 32000-1, 7.9.2.2 and Annex D).
pdfium decodes both correctly; the damage comes from producers that wrote cp1252 bytes (an en dash
0x96 reads as "Œ" in PDFDocEncoding) or UTF-8 bytes ("–" reads as "â•ﬁ"). The decoded title is
mapped back to its PDFDocEncoding bytes and read again as UTF-8 or cp1252 when that is clearly what
was meant; anything else is left as it is.
"""

from __future__ import annotations

import re

# PDFDocEncoding 0x80-0xA0 (Annex D, table D.2); checked against pdfium. 0x9F is undefined. The rest
# of the table is ASCII and Latin-1 (except the accents at 0x18-0x1F, which never need repair here).
_HIGH = "•†‡…—–ƒ⁄‹›−‰„“”‘’‚™ﬁﬂŁŒŠŸŽıłœšž"
_TO_BYTE = {ch: 0x80 + i for i, ch in enumerate(_HIGH)} | {"€": 0xA0}
# Read as PDFDocEncoding, a cp1252 title shows these where it meant punctuation: a ligature, "™" before
# a letter ("Gemeente™s" for "Gemeente’s"), or a letter from Eastern or French alphabets that
# no letter follows ("2026Œ2031" for "2026–2031"; "Œuvre" is French and stays).
_CP1252_SIGNS = re.compile(r"[ﬁﬂ]|™(?=[^\W\d_])|[ŁŒŠŸŽıł](?![^\W\d_])")


def _pdfdoc_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        code = ord(ch)
        if ch in _TO_BYTE:
            out.append(_TO_BYTE[ch])
        elif code < 0x80 or 0xA1 <= code <= 0xFF:
            out.append(code)
        else:
            return None  # not a PDFDocEncoding string (a UTF-16 title): nothing to repair
    return bytes(out)


def repair_title(title: str) -> str:
    """The title as its author wrote it, where a producer's encoding error can be undone."""
    raw = _pdfdoc_bytes(title)
    if raw is None or raw.isascii():
        return title
    try:
        return raw.decode("utf-8")  # stray high bytes almost never form valid UTF-8 by chance
    except UnicodeDecodeError:
        pass
    if _CP1252_SIGNS.search(title):
        try:
            return raw.decode("cp1252")
        except UnicodeDecodeError:  # a byte cp1252 leaves undefined: not cp1252 after all
            return title
    return title
