"""Type sniffing and content hashes: magic bytes first, extension second, clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from ingest.detect import SUPPORTED_HINT, detect, sha256_file
from ingest.types import IngestError
from tests import filefactory as ff


def test_sha256_is_streamed_and_matches_hashlib(tmp_path: Path) -> None:
    data = b"belfort" * 400_000  # several read blocks
    path = ff._write(tmp_path / "big.bin", data)
    assert sha256_file(path) == hashlib.sha256(data).hexdigest()
    assert sha256_file(path, chunk_size=1000) == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("name", "writer", "kind", "mime"), [
    ("a.pdf", ff.make_pdf, "pdf", "application/pdf"),
    ("a.docx", ff.make_docx, "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ("a.odt", ff.make_odt, "odt", "application/vnd.oasis.opendocument.text"),
    ("a.xlsx", ff.make_xlsx, "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ("a.csv", ff.make_csv, "csv", "text/csv"),
    ("a.html", ff.make_html, "html", "text/html"),
    ("a.md", ff.make_text, "text", "text/plain"),
    ("a.eml", ff.make_eml, "eml", "message/rfc822"),
    ("a.msg", ff.make_msg, "msg", "application/vnd.ms-outlook"),
    ("a.png", ff.make_image, "image", "image/png"),
    ("a.jpg", ff.make_image, "image", "image/jpeg"),
    ("a.tiff", ff.make_image, "image", "image/tiff"),
])
def test_detects_every_supported_format(tmp_path: Path, name: str, writer, kind: str, mime: str) -> None:
    assert detect(writer(tmp_path / name)) == (kind, mime)


def test_magic_bytes_beat_a_lying_extension(tmp_path: Path) -> None:
    pdf = ff.make_pdf(tmp_path / "really a pdf.txt")
    assert detect(pdf)[0] == "pdf"
    docx = ff.make_docx(tmp_path / "x.docx")
    renamed = docx.rename(tmp_path / "no extension")
    assert detect(renamed)[0] == "docx"


def test_text_without_extension_is_sniffed(tmp_path: Path) -> None:
    assert detect(ff._write(tmp_path / "README", b"Gewoon wat tekst."))[0] == "text"
    assert detect(ff._write(tmp_path / "page", b"<!DOCTYPE html><html><body>x</body></html>"))[0] == "html"
    assert detect(ff._write(tmp_path / "mail", ff.eml_bytes("Onderwerp", "Tekst")))[0] == "eml"


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        detect(ff._write(tmp_path / "leeg.docx", b""))
    assert err.value.code == "ingest.empty" and err.value.hint


@pytest.mark.parametrize(("name", "data"), [
    ("setup.exe", b"MZ\x90\x00" + b"\x00" * 100),
    ("archief.zip", None),
    ("oud.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100),
    ("foto.gif", b"GIF89a" + b"\x00" * 20),
    ("data.bin", b"\x00\x01\x02\x03" * 50),
])
def test_unsupported_types_name_what_is_supported(tmp_path: Path, name: str, data: bytes | None) -> None:
    path = ff._write(tmp_path / name, data if data is not None else ff._zip_bytes())
    with pytest.raises(IngestError) as err:
        detect(path)
    assert err.value.code == "ingest.unsupported_type"
    assert err.value.hint in (SUPPORTED_HINT, "Save the file as DOCX, XLSX or PDF and drop it again.")


def test_binary_format_with_wrong_content_is_corrupt(tmp_path: Path) -> None:
    with pytest.raises(IngestError) as err:
        detect(ff._write(tmp_path / "brief.docx", b"dit is geen zip"))
    assert err.value.code == "ingest.corrupt"
