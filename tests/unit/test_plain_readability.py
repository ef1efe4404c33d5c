"""Readability formulas on texts whose counts are known by hand, and syllables in nl/fr/en."""

from __future__ import annotations

import pytest

from appliance.plain.readability import flesch_type, lix, measure, split_sentences, syllables


def test_flesch_douma_on_a_counted_dutch_text() -> None:
    # 2 sentences, 10 words, 11 syllables: every word has one but ba-naan.
    r = measure("De kat zit op de mat. Hij eet een banaan.", "nl")
    assert (r.sentences, r.words, r.syllables) == (2, 10, 11)
    assert r.score == pytest.approx(206.835 - 0.93 * 5 - 77 * 1.1, abs=0.05)
    assert r.formula == "flesch-douma"
    # LIX: 5 words per sentence, no word over six letters
    assert r.lix == pytest.approx(5.0)


def test_kandel_moles_and_flesch_use_their_own_constants() -> None:
    fr = measure("Le chat dort. Il fait beau.", "fr")  # 6 words, 6 syllables, 2 sentences
    assert (fr.words, fr.syllables, fr.sentences) == (6, 6, 2)
    assert fr.score == pytest.approx(207 - 1.015 * 3 - 73.6 * 1, abs=0.05)
    en = measure("The cat sat on the mat.", "en")
    assert (en.words, en.syllables) == (6, 6)
    assert en.score == pytest.approx(206.835 - 1.015 * 6 - 84.6, abs=0.05)
    assert flesch_type("fr", 10, 1.5) != flesch_type("nl", 10, 1.5) != flesch_type("en", 10, 1.5)


def test_lix_counts_long_words() -> None:
    assert lix(20, 2, 5) == pytest.approx(10 + 25)
    r = measure("Omgevingsvergunningen worden behandeld.", "nl")  # 'worden' has six letters: not long
    assert r.long_words == pytest.approx(2 / 3, abs=0.001) and r.lix == pytest.approx(3 + 200 / 3, abs=0.1)


@pytest.mark.parametrize(("word", "lang", "expected"), [
    ("omgevingsvergunningsaanvraag", "nl", 8), ("idee", "nl", 2), ("gemeentehuis", "nl", 4),
    ("de", "nl", 1), ("administration", "fr", 5), ("identité", "fr", 3), ("readability", "en", 4),
    ("cat", "en", 1), ("2026", "nl", 1),
])
def test_syllables(word: str, lang: str, expected: int) -> None:
    assert syllables(word, lang) == expected


def test_a_bureaucratic_text_scores_harder_than_its_plain_version() -> None:
    hard = ("Ingevolge de bepalingen van het gemeentelijk reglement betreffende de omgevingsvergunning "
            "dient de aanvrager, alvorens de werken aan te vatten, een volledig dossier in te dienen.")
    easy = "U wilt bouwen. Dan vraagt u eerst een vergunning aan. Stuur alle papieren mee."
    a, b = measure(hard, "nl"), measure(easy, "nl")
    assert b.score > a.score and b.lix < a.lix and a.long_sentences == 1 and b.long_sentences == 0


def test_sentences_split_at_ends_blank_lines_and_list_items() -> None:
    assert split_sentences("Een zin. Nog een!\n\nDerde\n- vier items\n- vijf") == [
        "Een zin.", "Nog een!", "Derde", "- vier items", "- vijf"]
    assert measure("", "nl").words == 0
