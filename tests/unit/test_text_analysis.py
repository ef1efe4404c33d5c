"""The analyzer behind keyword search: folding, stemming, stopwords, safe FTS5 expressions, snippets."""

from __future__ import annotations

import sqlite3

import pytest

from appliance.index.text import (
    analyze,
    content_words,
    fold,
    fts_match_expression,
    keyword_terms,
    passage_terms,
    query_terms,
    snippet,
    term_variants,
    terms_of,
    weighted_coverage,
)


def test_fold_strips_accents_and_case() -> None:
    assert fold("Éénmalige Première ÇA") == "eenmalige premiere ca"


def test_dutch_plural_and_singular_share_a_stem() -> None:
    assert analyze("vergunningen", "nl") == analyze("vergunning", "nl")
    assert set(analyze("vergunningen", "nl").split()) & set(query_terms("Vergunning"))


@pytest.mark.parametrize(("infinitive", "present"), [
    ("betalen", "betaalt"), ("leggen", "legt"), ("vragen", "vraagt"), ("duren", "duurt"), ("krijgen", "krijgt"),
])
def test_a_dutch_verb_and_its_present_tense_share_a_stem(infinitive: str, present: str) -> None:
    # Snowball keeps the -t after a long vowel: 'betaalt' alone, 'betalen' -> 'betaal'.
    assert term_variants(infinitive) & term_variants(present)
    # 'Hoeveel moet hij betalen?' is carried by 'Wie geen parkeerschijf legt, betaalt € 58.'
    passage = terms_of(content_words("Wie geen parkeerschijf legt, betaalt € 58."))
    assert weighted_coverage(content_words("parkeerschijf leggen betalen"), {}, passage) == 1.0
    # A word keeps its own stem; a word of three letters gains nothing.
    assert "kost" in term_variants("kost") and term_variants("zet") == {"zet"}


def test_french_forms_share_a_stem_and_accents_fold() -> None:
    indexed = set(analyze("Les permis délivrés à Liège", "fr").split())
    assert indexed and indexed <= set(query_terms("permis delivre liege"))
    assert "les" not in indexed  # French stopword


def test_stopwords_drop_but_a_stopword_only_query_keeps_its_words() -> None:
    assert analyze("de het een", "nl") == ""
    assert query_terms("de het") != []


def test_unknown_language_stems_as_dutch() -> None:
    assert analyze("gemeenteraden", "") == analyze("gemeenteraden", "nl")
    assert analyze("gemeenteraden", "xx") == analyze("gemeenteraden", "nl")


@pytest.mark.parametrize("query", ["Москва регламент", "東京都の駐車許可", "تصريح وقوف", "🙂", "NEAR(a b)",
                                   "\"unbalanced", "a* OR ^b AND NOT -c", "col:val {x}", "x" * 500])
def test_every_query_gives_a_valid_fts5_expression(query: str) -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, scope, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES (?, 'c1')", (analyze("東 京 москва near unbalanced", "nl"),))
    terms = query_terms(query)
    if terms:
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_match_expression(terms),)).fetchall()
        db.execute("SELECT rowid FROM t WHERE t MATCH ?", (fts_match_expression(terms, [1, 2]),)).fetchall()


def test_scope_filter_lives_inside_the_match() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, scope)")
    db.executemany("INSERT INTO t (rowid, terms, scope) VALUES (?, ?, ?)",
                   [(1, analyze("vergunning", "nl"), "c1"), (2, analyze("vergunning c1", "nl"), "c2")])
    expr = fts_match_expression(query_terms("vergunning"), [1])
    assert [r[0] for r in db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,))] == [1]
    # a query word that looks like a scope token only ever matches the terms column
    expr = fts_match_expression(query_terms("c2"), [2])
    assert db.execute("SELECT rowid FROM t WHERE t MATCH ?", (expr,)).fetchall() == []


@pytest.mark.parametrize("word, counted", [("werkdagen", "dagen"), ("kalenderdagen", "dagen"), ("kwartaalbetalingen", "betalingen")])
def test_a_compound_carries_the_thing_a_question_counts(word: str, counted: str) -> None:
    assert term_variants(counted) & passage_terms(f"Binnen 30 {word} na de aanvraag.", counted)
    assert not term_variants(counted) & passage_terms(f"Binnen 30 {word} na de aanvraag.")


@pytest.mark.parametrize("word, counted", [("maandag", "dag"), ("verleden", "leden"), ("toujours", "jours"),
                                           ("werkdagen", "werk")])
def test_no_part_shorter_than_four_letters_nor_a_first_part_is_counted(word: str, counted: str) -> None:
    # 'dag': too short to tell a part from a word's ending; 'ver-leden', 'tou-jours': no first part of
    # four letters; a compound's first part says what kind, not what it is ('werkdagen' are no 'werk').
    assert not term_variants(counted) & passage_terms(f"Het {word}.", counted)


def test_only_the_counted_thing_is_carried_by_a_compound() -> None:
    # A compound names a kind of its last part: the environmental permit is no answer to what a permit
    # for a terrace costs, so 'vergunning' is not carried where the question does not count it.
    assert not term_variants("vergunning") & passage_terms("De omgevingsvergunning kost € 50.", "kost")


def test_cjk_is_split_into_characters() -> None:
    assert query_terms("東京") == ["東", "京"]


def test_query_of_10000_characters_is_bounded() -> None:
    terms = query_terms(" ".join(f"woord{i}" for i in range(2000)))
    assert 0 < len(terms) <= 256


def test_a_word_the_query_repeats_weighs_more_in_bm25() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms)")
    db.executemany("INSERT INTO t (rowid, terms) VALUES (?, ?)",
                   [(1, analyze("De fietsenstalling aan het station.", "nl")),
                    (2, analyze("De wachttijden aan het station.", "nl"))])
    query = "Wachttijden en fietsenstalling: hoeveel plaatsen telt de fietsenstalling, en wie beheert de fietsenstalling?"
    assert set(keyword_terms(query)) == set(query_terms(query))
    assert len(keyword_terms(query)) > len(query_terms(query))
    scores = "SELECT rowid, bm25(t) FROM t WHERE t MATCH ?"  # lower is better
    once = dict(db.execute(scores, (fts_match_expression(query_terms(query)),)).fetchall())
    assert once[1] == pytest.approx(once[2])  # each passage holds one of the two words
    weighted = dict(db.execute(scores, (fts_match_expression(keyword_terms(query)),)).fetchall())
    assert weighted[1] < weighted[2]  # the word asked three times decides
    assert keyword_terms("parkeervergunning bewoners") == query_terms("parkeervergunning bewoners")
    assert 0 < len(keyword_terms(" ".join(["woord"] * 5000))) <= 512


def test_snippet_marks_analysed_matches_in_best_window() -> None:
    text = "Inleiding. " * 40 + "De aanvraag voor vergunningen gaat naar de dienst vergunning. " + "Slot. " * 40
    shown, spans = snippet(text, set(query_terms("vergunning")), width=120)
    assert len(shown) <= 125 and shown.startswith("…") and shown.endswith("…")
    assert [shown[s:e] for s, e in spans] == ["vergunningen", "vergunning"]


def test_short_text_snippet_is_whole() -> None:
    shown, spans = snippet("Le Règlement communal", set(query_terms("reglement")))
    assert shown == "Le Règlement communal" and [shown[s:e] for s, e in spans] == ["Règlement"]
