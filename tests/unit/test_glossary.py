"""The municipal glossary: term hints for the model that translates a question into the passages' language."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from appliance.ask import glossary, prompts


@pytest.fixture(autouse=True)
def _fresh() -> None:
    glossary._glossary.cache_clear()


def test_terms_match_on_stems_with_their_small_words_and_the_longest_wins(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "fr-nl.tsv").write_text("dalle de trottoir\tstoeptegel\ndalle\tplaat\ntrottoir\tstoep\n"
                                        "délai\ttermijn\n", "utf-8")
    monkeypatch.setattr(glossary, "PACKAGED", tmp_path)
    found = glossary.hints("Dans quel délai la commune répare-t-elle des dalles de trottoir ?", "fr", "nl")
    assert [(h.source, h.target) for h in found] == [("délai", "termijn"), ("dalle de trottoir", "stoeptegel")]
    # Without the small word it is another phrase: the single words match instead.
    assert [h.target for h in glossary.hints("les dalles du trottoir", "fr", "nl")] == ["plaat", "stoep"]


def test_an_organisations_own_terms_replace_the_packaged_ones(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    packaged, own = tmp_path / "packaged", tmp_path / "own"
    packaged.mkdir()
    own.mkdir()
    (packaged / "en-nl.tsv").write_text("town hall\tgemeentehuis\nfine\tboete\n", "utf-8")
    (own / "en-nl.tsv").write_text("# our house style\ntown hall\tstadhuis\nno tab here\n\tempty term\n", "utf-8")
    monkeypatch.setattr(glossary, "PACKAGED", packaged)
    found = glossary.hints("What is the fine at the Town Hall?", "en", "nl", own)
    assert [(h.source, h.target) for h in found] == [("fine", "boete"), ("town hall", "stadhuis")]
    assert glossary.hints("What is the fine?", "en", "de", own) == []  # no such pair: no hints
    # An edit is read without a restart.
    (own / "en-nl.tsv").write_text("fine\tGAS-boete\n", "utf-8")
    os.utime(own / "en-nl.tsv", (1, 1))
    assert [h.target for h in glossary.hints("What is the fine at the town hall?", "en", "nl", own)] == \
        ["GAS-boete", "gemeentehuis"]


def test_an_english_two_word_term_also_matches_written_as_one_word(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "en-nl.tsv").write_text("street light\tstraatverlichting\nbin bag\tvuilniszak\nbinbag\teigen term\n",
                                        "utf-8")
    (tmp_path / "fr-nl.tsv").write_text("bac à fleurs\tbloembak\n", "utf-8")
    monkeypatch.setattr(glossary, "PACKAGED", tmp_path)
    found = glossary.hints("The streetlights in my street are out", "en", "nl")
    assert [(h.source, h.target) for h in found] == [("street light", "straatverlichting")]
    assert [h.target for h in glossary.hints("a street-light", "en", "nl")] == ["straatverlichting"]
    # A one-word entry of its own wins over the joined form of a two-word one.
    assert [h.target for h in glossary.hints("a torn binbag", "en", "nl")] == ["eigen term"]
    assert glossary.hints("The streetlamp", "en", "nl") == []  # only the term's own words, joined
    assert glossary.hints("un bacàfleurs", "fr", "nl") == []  # French terms are phrases


def test_hints_are_capped(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    words = [f"word{chr(97 + i)}" for i in range(12)]
    (tmp_path / "en-nl.tsv").write_text("".join(f"{w}\tw{i}\n" for i, w in enumerate(words)), "utf-8")
    monkeypatch.setattr(glossary, "PACKAGED", tmp_path)
    assert len(glossary.hints(" ".join(words), "en", "nl")) == glossary.MAX_HINTS


@pytest.mark.parametrize("pair", ["en-nl", "fr-nl", "nl-nl"])
def test_the_packaged_glossary_is_well_formed(pair: str) -> None:
    source = pair.split("-")[0]
    lines = [ln for ln in (glossary.PACKAGED / f"{pair}.tsv").read_text("utf-8").splitlines()
             if ln.strip() and not ln.startswith("#")]
    assert len(lines) >= 300
    assert all(ln.count("\t") == 1 and all(p.strip() for p in ln.split("\t")) for ln in lines)
    first: dict[tuple[str, ...], str] = {}
    for ln in lines:
        term, translation = ln.split("\t")
        assert first.setdefault(glossary.keys(term, source), translation) == translation  # one translation a term
        # A Dutch variant is never its own usual term (a translation may be the same word: 'eID').
        assert pair != "nl-nl" or glossary.keys(term, source) != glossary.keys(translation, source)
    # Words that share a stem are not the same term: 'gare' is no 'garer', 'livre' no 'livré'.
    if source == "fr":
        found = glossary.hints("Où se garer près de la gare pour un repas chaud livré ou un livre ?", "fr", "nl")
        assert [h.target for h in found] == ["parkeren", "station", "warme maaltijd", "boek"]


def test_the_translation_prompt_names_the_terms_to_use() -> None:
    system = prompts.translate_messages("Where do I report a broken street light?", "nl",
                                        [("street light", "straatverlichting"), ("a=b; c", "d")])[0].content
    assert system.startswith("Translate the user's question into Dutch.")
    assert "Use these Dutch terms for the words they translate: street light = straatverlichting; a b, c = d." in system
    assert "Use these" not in prompts.translate_messages("Where?", "nl")[0].content
