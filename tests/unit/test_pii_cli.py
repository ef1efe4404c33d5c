"""`belfort pii FILE`: spans of a document on the console, never in the log."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from ops.cli import main

LETTER = (
    "Gent, 3 maart 2025\n\n"
    "Geachte mevrouw An De Smet,\n\n"
    "Uw aanvraag voor de Kerkstraat 12, 9000 Gent is ontvangen. Bel 09 123 45 67 of mail\n"
    "info@stad.gent met vermelding van +++010/8068/17183+++.\n"
)


def test_pii_json_lists_spans_with_pages(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                         caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(LETTER, encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    assert main(["pii", str(path), "--ner", "none", "--json"]) == 0
    spans = json.loads(capsys.readouterr().out)
    kinds = {(s["entity_type"], s["text"]) for s in spans}
    assert ("PERSON", "An De Smet") in kinds
    assert ("BE_ADDRESS", "Kerkstraat 12, 9000 Gent") in kinds
    assert ("PHONE_NUMBER", "09 123 45 67") in kinds
    assert ("EMAIL_ADDRESS", "info@stad.gent") in kinds
    assert ("BE_OGM", "+++010/8068/17183+++") in kinds
    assert all(s["page"] == 1 and set(s) >= {"start", "end", "score"} for s in spans)
    assert "De Smet" not in caplog.text


def test_pii_plain_output_and_entity_filter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(LETTER, encoding="utf-8")
    assert main(["pii", str(path), "--ner", "none", "--entities", "EMAIL_ADDRESS"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1 and lines[0].split("\t")[2:4] == ["EMAIL_ADDRESS", "0.95"]


def test_pii_unknown_entity_type_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "brief.txt"
    path.write_text(LETTER, encoding="utf-8")
    assert main(["pii", str(path), "--ner", "none", "--entities", "SSN"]) == 2
    assert "pii.entities" in capsys.readouterr().err


def test_pii_missing_file_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pii", str(tmp_path / "nope.txt"), "--ner", "none"]) == 2
