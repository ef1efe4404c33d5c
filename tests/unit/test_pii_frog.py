"""FrogTagger pieces that need no Frog process: errors, block cutting, token alignment."""

from __future__ import annotations

import pytest

from models.base import ModelError
from models.frog import FrogTagger, _align, _pieces, frog_check
from models.registry import build_ner


def test_missing_binary_names_the_packages() -> None:
    with pytest.raises(ModelError) as err:
        FrogTagger(binary="/nonexistent/frog")
    assert err.value.code == "ner.missing"
    assert "frogdata" in err.value.hint


def test_engine_choice() -> None:
    assert build_ner("none") is None
    with pytest.raises(ModelError) as err:
        build_ner("spacy")
    assert err.value.code == "ner.unknown_engine" and "frog" in err.value.hint


def _covers(text: str, pieces: list[tuple[int, str]]) -> bool:
    """Every piece is the text at its offset, and together they hold every word of the text."""
    return (all(text[o : o + len(p)] == p for o, p in pieces)
            and "".join("".join(p.split()) for _, p in pieces) == "".join(text.split()))


def test_pieces_cut_at_paragraphs() -> None:
    text = ("Een zin hier.\n\n" * 50) + "slot"
    pieces = list(_pieces(text, 100))
    assert _covers(text, pieces) and len(pieces) == 51


def test_a_long_line_is_cut_at_sentence_ends_into_bounded_pieces() -> None:
    # The review's text: no line breaks, so Frog got 8,000 characters as one block.
    text = "Jan Peeters zag de schepen op het plein van de stad. " * 400
    pieces = list(_pieces(text, 100))
    assert _covers(text, pieces)
    assert all(len(p.split()) <= 100 for _, p in pieces)
    assert all(p.endswith(".") for _, p in pieces)


@pytest.mark.parametrize("unit", ["aaaa ", "Aaaa ", "a", "Aaaa-Bbbb ", "Aaaa\n"])
def test_text_without_sentences_is_still_cut_into_bounded_pieces(unit: str) -> None:
    text = unit * 20_000
    pieces = list(_pieces(text, 100))
    assert _covers(text, pieces)
    assert all(len(p.split()) <= 100 and len(p) <= 100 * 101 for _, p in pieces)


def test_a_cut_without_sentence_end_does_not_split_a_name() -> None:
    words = ["woord"] * 97 + ["Marleen", "Van", "den", "Bossche"] + ["woord"] * 50
    text = " ".join(words)
    pieces = [p for _, p in _pieces(text, 100)]
    assert any("Marleen Van den Bossche" in p for p in pieces)


def test_waiting_for_the_tagger_is_bounded() -> None:
    tagger = FrogTagger(start_server=False, port=1, wait_seconds=0.2)
    tagger._lock.acquire()  # another call holds the server
    try:
        with pytest.raises(ModelError) as err:
            tagger.tag("Jan Peeters woont in Gent.")
    finally:
        tagger._lock.release()
    assert err.value.code == "ner.busy"


def test_lower_case_text_is_not_sent_to_frog() -> None:
    # No server at port 1: a call that sent anything would fail with ner.unreachable.
    tagger = FrogTagger(start_server=False, port=1)
    assert tagger.tag("aaaa " * 40_000) == []


def test_align_maps_tokens_to_offsets_and_joins_iob() -> None:
    text = "De heer Jan Peeters (CD&V) zag “Karel” in Gent."
    tokens = [
        ("De", "O"), ("heer", "O"), ("Jan", "B-PER"), ("Peeters", "I-PER"), ("(", "O"), ("CD&V", "B-ORG"),
        (")", "O"), ("zag", "O"), ('"', "O"), ("Karel", "B-PER"), ('"', "O"), ("in", "O"), ("Gent", "B-LOC"),
        (".", "O"),
    ]
    ents = _align(text, 0, tokens)
    assert [(e.label, e.text) for e in ents] == [
        ("PER", "Jan Peeters"), ("ORG", "CD&V"), ("PER", "Karel"), ("LOC", "Gent"),
    ]
    assert all(text[e.start : e.end] == e.text for e in ents)


def test_align_never_joins_a_name_across_lines() -> None:
    text = "Aanwezig:\nPieter Claes\nAn De Smet"
    tokens = [("Aanwezig", "O"), (":", "O"), ("Pieter", "B-PER"), ("Claes", "I-PER"), ("An", "I-PER"),
              ("De", "I-PER"), ("Smet", "I-PER")]
    assert [e.text for e in _align(text, 0, tokens)] == ["Pieter Claes", "An De Smet"]


def test_align_with_block_offset() -> None:
    text = "Eerst dit.\n\nDan Els."
    ents = _align(text, 12, [("Dan", "O"), ("Els", "B-PER"), (".", "O")])
    assert [(e.start, e.text) for e in ents] == [(16, "Els")]


def test_check_reports_a_missing_program() -> None:
    ok, message, hint = frog_check("/nonexistent/frog")
    assert not ok and "Frog" in message and "frog" in hint


def test_align_keeps_a_lone_first_name_with_the_surname_on_the_next_line() -> None:
    text = "Laura\nVan Rentergem\n(raadslid)"
    tokens = [("Laura", "B-PER"), ("Van", "I-PER"), ("Rentergem", "I-PER"), ("(", "O"), ("raadslid", "O"),
              (")", "O")]
    assert [e.text for e in _align(text, 0, tokens)] == ["Laura\nVan Rentergem"]
