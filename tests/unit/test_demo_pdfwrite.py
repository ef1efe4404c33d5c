"""The demo's PDF writer: titles survive as written (issue 11: an en dash read back as "Œ")."""

from __future__ import annotations

from pathlib import Path

from ingest.extract import extract
from ops.demo.pdfwrite import write_pdf


def test_a_title_with_a_dash_accents_and_parentheses_reads_back_as_written(tmp_path: Path) -> None:
    title = "Beleidsnota bibliotheek 2026–2031 (ontwerp) – Ĳzer, Œuvre, € 5"
    path = write_pdf("De bibliotheek opent op zondag.", tmp_path / "nota.pdf", title=title)
    extracted = extract(path)
    assert extracted.title == title
    assert "De bibliotheek opent op zondag." in extracted.pages[0].text
