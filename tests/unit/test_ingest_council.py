"""The LBLOD council pages extract cleanly: text close to the reference .txt beside each page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.extract import extract
from tests.conftest import EVAL

COUNCIL = sorted((EVAL / "council").glob("*.html"))
pytestmark = pytest.mark.skipif(not COUNCIL, reason="shared council pages not present")


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.mark.parametrize("page", COUNCIL, ids=lambda p: p.stem)
def test_council_page_matches_reference_text(page: Path) -> None:
    result = extract(page)
    assert result.kind == "html" and result.title
    reference = _words(page.with_suffix(".txt").read_text(encoding="utf-8"))
    ours = _words(result.text)
    assert len(ours & reference) / len(reference) > 0.9  # only navigation words may be missing
    assert len(ours & reference) / len(ours) > 0.98  # and nothing from scripts or styles added
    assert "function" not in ours and "var" not in ours
