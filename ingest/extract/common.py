"""Helpers every extractor shares: text clean-up, charset decoding, wrapping library errors."""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from ingest.cage import MEMORY_LIMIT, too_complex
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


_EXCESSIVE = re.compile(r"excessive depth|huge input|xml_parse_huge|maximum recursion", re.IGNORECASE)


@contextmanager
def wrap_errors(kind: str) -> Iterator[None]:
    """Turn any library exception into ingest.corrupt; our own IngestError passes through."""
    try:
        yield
    except IngestError:
        raise
    except MemoryError:
        raise IngestError(
            MEMORY_LIMIT,
            f"This {kind} file needs more memory than a parser may use.",
            hint="Split the file into smaller parts, or export it again (for instance as PDF).",
        ) from None
    except RecursionError:
        raise too_complex(f"This {kind} file is nested too deeply") from None
    except Exception as exc:
        if _EXCESSIVE.search(str(exc)):  # lxml without huge_tree: nesting or a text node beyond its limits
            raise too_complex(f"This {kind} file is nested too deeply or has a huge text node") from None
        raise IngestError(
            "ingest.corrupt",
            f"This {kind} file could not be read ({type(exc).__name__}).",
            hint=f"Open the file in its own application to check it, save it again as {kind} and retry.",
        ) from exc


# Office files are zip archives of XML parts. Checked from the central directory before anything is
# inflated (zipfile also stops a member at its declared size, so these numbers cannot lie), then the XML
# parts are streamed once through a byte scan (C speed) that refuses a DTD (entity tricks) and counts
# tags, before a parser builds a tree of them. The parsers themselves run with lxml's limits (no
# entities, no huge trees); what slips past both meets the cage's memory and time limits.
MAX_UNZIPPED_BYTES = 512 << 20  # all parts together
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # uncompressed / compressed of one part; real XML stays far below, a bomb is ~1000
RATIO_FLOOR = 1 << 20  # small parts may compress as well as they like
MAX_XML_TAGS = 2_000_000  # '<' in all XML parts together (~1M elements); a 500-page report has far fewer
_XML_SUFFIXES = (".xml", ".rels")
_DTD_MARKS = (b"<!DOCTYPE", b"<!ENTITY")


def check_archive(path: Path, kind: str, *, skip_xml: tuple[str, ...] = (), max_tags: int = MAX_XML_TAGS) -> None:
    """Refuse zip bombs and XML bombs before a parser expands them: sizes, ratios, member count, then a
    streamed scan of the XML parts (except those under the `skip_xml` prefixes, which are streamed)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            _check_members(infos, kind)
            tags = 0
            for info in infos:
                if info.filename.lower().endswith(_XML_SUFFIXES) and not info.filename.startswith(skip_xml):
                    with zf.open(info) as fh:
                        tags += scan_xml(fh, kind, max_tags - tags)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError) as exc:
        raise IngestError("ingest.corrupt", f"This {kind} file is damaged (not a readable archive).",
                          hint="Open it in its office application and save it again.") from exc


def _check_members(infos: list[Any], kind: str) -> None:
    if len(infos) > MAX_MEMBERS:
        raise too_complex(f"This {kind} file has {len(infos)} parts")
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise too_complex(f"A part of this {kind} file inflates {info.file_size // max(info.compress_size, 1)}"
                              " times (a zip bomb)")
    if total > MAX_UNZIPPED_BYTES:
        raise too_complex(f"This {kind} file would unpack to {total >> 20} MiB")


def scan_xml(stream: IO[bytes], kind: str, budget: int) -> int:
    """Tags ('<') in one XML part, read in blocks; refuses a DTD and more than `budget` tags."""
    tags, tail = 0, b""
    while block := stream.read(1 << 20):
        window = tail + block
        if any(mark in window for mark in _DTD_MARKS):  # office XML never declares a DTD
            raise too_complex(f"This {kind} file declares XML entities (a DTD)")
        tags += block.count(b"<")
        if tags > budget:
            raise too_complex(f"This {kind} file has too many XML elements")
        tail = block[-16:]
    return tags
