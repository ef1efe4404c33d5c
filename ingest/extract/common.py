"""Helpers every extractor shares: text clean-up, charset decoding, wrapping library errors."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ingest.types import IngestError

# Characters that only confuse search and offsets: C0 controls except tab/newline, soft hyphen, BOM,
# and U+FFFE, which pdfium puts where a word was hyphenated across a line end ("gemeen-|teraad").
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u00ad\ufeff\ufffe\uffff\u200b]")
_SPACES = re.compile(r"[ \u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_TAB = re.compile(r" *\t *")  # tabs separate table cells: keep them (and empty cells), drop padding
_MANY_NEWLINES = re.compile(r"\n{3,}")
_LINE_EDGE = re.compile(r" *\n *")  # spaces around line breaks (tabs stay: they mark empty cells)
_BLANK_LINE = re.compile(r"\n[ \t]+(?=\n)")  # a line of only tabs/spaces is an empty line

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),  # before UTF-16 LE: its BOM starts the same way
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def clean_text(text: str) -> str:
    """Normalise page text once, before chunking, so chunk offsets stay exact afterwards.

    NFC (a NFD 'é' from macOS file names and some PDFs must match a typed 'é'), unified newlines,
    one space for runs of spaces, at most one blank line between paragraphs, no trailing spaces.
    """
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n\n")
    text = _CONTROL.sub("", text)
    text = _TAB.sub("\t", _SPACES.sub(" ", text))
    text = _LINE_EDGE.sub("\n", text)
    text = _BLANK_LINE.sub("\n", text)
    return _MANY_NEWLINES.sub("\n\n", text).strip()


def title_from_stem(path: Path) -> str:
    return unicodedata.normalize("NFC", path.stem)


def decode_bytes(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Decode text of unknown origin: declared charset, else BOM, else UTF-8, else detection.

    A declared charset that does not fit the bytes (a page saved in windows-1252 that claims UTF-8)
    is ignored rather than trusted, so accents survive. Returns (text, encoding used).
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    if declared:
        codec = _codec_name(declared)
        if codec:
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError:
                pass
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data[:2_000_000]).best()
    if best is None:
        raise IngestError(
            "ingest.encoding",
            "The text encoding of this file could not be determined.",
            hint="Save the file as UTF-8 and drop it again.",
        )
    name = best.encoding
    if name in _LATIN_SINGLE_BYTE:
        # Detection cannot tell these apart on short Dutch/French text (it likes cp1250, which turns
        # 'è' into 'č'); files from Flemish offices are windows-1252 unless proven otherwise.
        try:
            return data.decode("cp1252"), "cp1252"
        except UnicodeDecodeError:
            pass
    try:
        return data.decode(name), name
    except UnicodeDecodeError:
        return data.decode(name, errors="replace"), name


_LATIN_SINGLE_BYTE = {
    "cp1252", "cp1250", "cp1254", "cp1257", "latin_1", "iso8859_1", "iso8859_2", "iso8859_9", "iso8859_15",
    "iso8859_16", "mac_roman", "mac_latin2", "cp850", "cp437",
}


def _codec_name(label: str) -> str | None:
    label = label.strip().strip("\"'").lower()
    if label in {"iso-8859-1", "latin1", "latin-1", "us-ascii", "ascii"}:
        label = "cp1252"  # what browsers do (WHATWG encoding standard)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def looks_binary(data: bytes) -> bool:
    """NUL bytes (outside UTF-16 text) or many control bytes: not a text file."""
    sample = data[:8192]
    if not sample:
        return False
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls / len(sample) > 0.05


@contextmanager
def wrap_errors(kind: str) -> Iterator[None]:
    """Turn any library exception into ingest.corrupt; our own IngestError passes through."""
    try:
        yield
    except IngestError:
        raise
    except MemoryError:
        raise IngestError(
            "ingest.too_large",
            f"This {kind} file is too large to read in memory.",
            hint="Split the file into smaller parts.",
        ) from None
    except Exception as exc:
        raise IngestError(
            "ingest.corrupt",
            f"This {kind} file could not be read ({type(exc).__name__}).",
            hint=f"Open the file in its own application to check it, save it again as {kind} and retry.",
        ) from exc


MAX_UNZIPPED_BYTES = 1 << 30  # 1 GiB of XML is no office document; it is a zip bomb


def check_zip_size(path: Path, kind: str) -> None:
    """Refuse office files whose parts would inflate beyond reason before a parser expands them."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            total = sum(info.file_size for info in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise IngestError("ingest.corrupt", f"This {kind} file is damaged (not a readable archive).",
                          hint="Open it in its office application and save it again.") from exc
    if total > MAX_UNZIPPED_BYTES:
        raise IngestError("ingest.too_large", f"This {kind} file would unpack to more than 1 GiB.",
                          hint="Split the document, or export it as PDF, and drop it again.")
