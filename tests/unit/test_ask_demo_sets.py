"""The demo question sets of bench/ask_demo.py: well formed, and each answerable row answerable from the
document it names (the fact is in that document's text), so that a miss measures Ask, not the set."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.ask_demo import DEFAULT_QUESTIONS, ROOT, load_questions
from bench.ask_demo_match import NO_ANSWER_KINDS, expected_sources, has_fact
from ops.demo.seed import GENERATE, GENERATED

# Every set in bench/: a new one is checked without being listed here.
SETS = tuple(sorted(p.name for p in (ROOT / "bench").glob("ask_demo_questions*.jsonl")))
CORPUS = ROOT / "ops" / "demo" / "corpus"


def _texts() -> dict[str, str]:
    """File name -> text of every demo document (generated ones: the text they are made from)."""
    out = {p.name: p.read_text("utf-8") for p in CORPUS.glob("*/*") if p.is_file()}
    out.update({name: (GENERATE / source).read_text("utf-8") for name, (source, _, _) in GENERATED.items()})
    return out


@pytest.mark.parametrize("name", SETS)
def test_every_answerable_fact_is_in_the_document_the_row_names(name: str) -> None:
    texts = _texts()
    rows = load_questions(ROOT / "bench" / name)
    assert len({r["id"] for r in rows}) == len(rows)
    for row in rows:
        sources = expected_sources(row)
        if row["kind"] in NO_ANSWER_KINDS:
            assert not sources, row["id"]
            continue
        assert sources and set(sources) <= set(texts), row["id"]
        assert row["expect"], row["id"]
        for fact in row["expect"]:
            assert any(has_fact(texts[s], fact) for s in sources), (row["id"], fact)


def test_hr_questions_asked_from_outside_hr_are_about_the_hr_documents() -> None:
    hr = " ".join(p.read_text("utf-8") for p in (CORPUS / "personeel").iterdir())
    for name in SETS:
        for row in load_questions(ROOT / "bench" / name):
            if row["kind"] == "hr_outside":
                assert row["user"] == "demo" and all(has_fact(hr, f) for f in row["expect"]), row["id"]


def test_the_main_set_has_what_the_issue_asks() -> None:
    assert DEFAULT_QUESTIONS.name in SETS  # the glob found the sets
    rows = load_questions(DEFAULT_QUESTIONS)
    kinds = [r["kind"] for r in rows]
    assert len(rows) >= 30 and kinds.count("unanswerable") >= 10 and kinds.count("hr_outside") >= 5
    assert {"table", "list", "prose"} <= set(kinds) and {r["language"] for r in rows} == {"nl", "fr", "en"}


def test_a_fact_missing_from_its_document_is_caught(tmp_path: Path) -> None:
    # The check above can fail: a fact that is not in the named document is not found there.
    assert not has_fact(_texts()["afvalkalender-2026.txt"], "€ 99,00")
