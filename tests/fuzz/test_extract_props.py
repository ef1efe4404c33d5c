"""Property-based fuzzing of extraction: valid files of every format, mutated (truncated, bytes
flipped, bytes inserted, renamed), and random bytes under every supported name. Extraction either
reads the file or raises an IngestError with a known code; nothing else escapes, nothing hangs."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.detect import detect
from ingest.extract import extract
from ingest.types import IngestError
from tests import filefactory as ff
from tests.fuzz.support import EXTRACT_CODES, hang_guard

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
NAMES = [".pdf", ".docx", ".odt", ".xlsx", ".csv", ".html", ".txt", ".md", ".eml", ".msg", ".png", ".jpg",
         ".tif", "", ".dat", ".log"]


@cache
def seeds() -> dict[str, bytes]:
    """One small valid file per format, written once by the test file factory."""
    writers = {
        "raad.pdf": ff.make_pdf, "notulen.docx": ff.make_docx, "verslag.odt": ff.make_odt,
        "begroting.xlsx": ff.make_xlsx, "adressen.csv": ff.make_csv, "nieuws.html": ff.make_html,
        "lees.txt": ff.make_text, "uitnodiging.eml": ff.make_eml, "bericht.msg": ff.make_msg,
        "foto.png": ff.make_image, "scan.jpg": ff.make_image, "archief.tif": ff.make_image,
    }
    with tempfile.TemporaryDirectory() as tmp:
        return {name: write(Path(tmp) / name).read_bytes() for name, write in writers.items()}


def _extract(data: bytes, name: str) -> str:
    """The outcome: the kind read, or the failure code (asserted to be a known one)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        with hang_guard(10) as took:
            try:
                result = extract(path)
                outcome = result.kind
                assert isinstance(result.text, str) and all(p.number >= 1 for p in result.pages)
                assert all(isinstance(c.data, bytes) and "/" not in c.name for c in result.children)
            except IngestError as err:
                assert err.code in EXTRACT_CODES, f"{name}: unknown code {err.code}"
                assert err.message and err.hint, name
                outcome = err.code
        assert took["seconds"] < 10, f"{name} took {took['seconds']:.1f} s"
    return outcome


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(seeds())))
    data = bytearray(seeds()[name])
    for _ in range(draw(st.integers(1, 4))):
        action = draw(st.sampled_from(["truncate", "flip", "insert", "zero", "duplicate"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if action == "truncate":
            del data[at:]
        elif action == "flip" and data:
            data[at] ^= draw(st.integers(1, 255))
        elif action == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif action == "zero":
            data[at:at + draw(st.integers(1, 512))] = b"\x00" * min(512, len(data) - at)
        elif action == "duplicate":
            data[at:at] = data[at:at + draw(st.integers(1, 2048))]
    if draw(st.booleans()):
        name = Path(name).stem + draw(st.sampled_from(NAMES))  # a name that lies about the content
    return name or "bestand", bytes(data)


@settings(FUZZ, max_examples=150)
@given(mutated())
def test_mutated_files_extract_or_fail_by_name(sample: tuple[str, bytes]) -> None:
    name, data = sample
    _extract(data, name)


@settings(FUZZ, max_examples=80)
@given(st.binary(max_size=4096), st.sampled_from(NAMES))
def test_random_bytes_under_any_name(data: bytes, suffix: str) -> None:
    outcome = _extract(data, "bestand" + suffix)
    if not data:
        assert outcome == "ingest.empty"


@settings(FUZZ, max_examples=80)
@given(st.binary(min_size=1, max_size=2048), st.sampled_from(NAMES))
def test_detect_never_raises_anything_unnamed(head: bytes, suffix: str) -> None:
    """Detection reads the head of every file in the drop folder: magic bytes first, then names."""
    prefixes = [b"", b"%PDF-", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<!--", b"<html>",
                b"From: ", b"\x89PNG\r\n\x1a\n", b"\xef\xbb\xbf"]
    for prefix in prefixes:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / ("bestand" + suffix)
            path.write_bytes(prefix + head)
            with hang_guard(2) as took:
                try:
                    kind, mime = detect(path)
                    assert kind and mime
                except IngestError as err:
                    assert err.code in EXTRACT_CODES, err.code
            assert took["seconds"] < 2, (prefix, len(head))


@settings(FUZZ, max_examples=25)
@given(st.lists(st.sampled_from([b"<!---->", b"<!-- -->", b" ", b"\n", b"<!--", b"-->", b"<!---", b"x"]),
                min_size=50, max_size=600))
def test_detect_is_linear_on_comment_storms(parts: list[bytes]) -> None:
    """A file without extension starting with many comments: the 'is this HTML?' test must stay fast."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "pagina"
        path.write_bytes(b"".join(parts) + b"<zz>")
        with hang_guard(1) as took:
            try:
                detect(path)
            except IngestError:
                pass
        assert took["seconds"] < 0.5, f"{len(parts)} parts took {took['seconds']:.2f} s"
