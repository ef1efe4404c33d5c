"""The bad-input corpus of issue 2 at extraction level: each file ends in a kind or a named error."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest

from ingest.extract import extract
from ingest.types import IngestError
from tests import filefactory as ff

CODES = {"ingest.empty", "ingest.corrupt", "ingest.encrypted", "ingest.unsupported_type", "ingest.encoding"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("corpus")
    return folder, ff.write_corpus(folder)


def test_corpus_covers_every_kind_and_every_code(corpus: tuple[Path, dict[str, str]]) -> None:
    _, expected = corpus
    outcomes = set(expected.values())
    assert {"pdf", "docx", "odt", "html", "text", "eml", "msg", "xlsx", "csv", "image"} <= outcomes
    assert {"ingest.empty", "ingest.corrupt", "ingest.encrypted", "ingest.unsupported_type"} <= outcomes


def test_every_file_ends_in_its_expected_state(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, expected = corpus
    for name, outcome in expected.items():
        path = folder / name
        if outcome.startswith("ingest."):
            with pytest.raises(IngestError) as err:
                extract(path)
            assert err.value.code == outcome, name
            assert err.value.code in CODES and err.value.message and err.value.hint, name
        else:
            result = extract(path)
            assert result.kind == outcome, name
            assert result.needs_ocr == (name in ff.NEEDS_OCR), name
            assert result.title, name
            if not result.needs_ocr:
                assert result.text.strip(), name


def test_unusual_unicode_name(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, _ = corpus
    result = extract(folder / ff.UNUSUAL_NAME)
    assert result.title == unicodedata.normalize("NFC", Path(ff.UNUSUAL_NAME).stem)
    assert "Zoé" in result.title and "東京" in result.title
    assert "ongewone naam" in result.text


def test_mail_with_corrupt_attachment_extracts_and_returns_the_child(corpus: tuple[Path, dict[str, str]]) -> None:
    folder, _ = corpus
    mail = extract(folder / "uitnodiging.eml")
    names = [c.name for c in mail.children]
    assert names == ["agenda.pdf", "kapotte bijlage.pdf"]
    for child in mail.children:
        (folder / "kids").mkdir(exist_ok=True)
        (folder / "kids" / child.name).write_bytes(child.data)
    assert "Agenda" in extract(folder / "kids" / "agenda.pdf").text
    with pytest.raises(IngestError) as err:
        extract(folder / "kids" / "kapotte bijlage.pdf")
    assert err.value.code == "ingest.corrupt"
