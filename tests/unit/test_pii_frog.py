"""FrogTagger pieces that need no Frog process: errors, block cutting, token alignment."""

from __future__ import annotations

import pytest

from appliance.services.pii import build_ner_tagger
from models.base import ModelError
from models.frog import FrogTagger, _align, _blocks, frog_check


def test_missing_binary_names_the_packages() -> None:
    with pytest.raises(ModelError) as err:
        FrogTagger(binary="/nonexistent/frog")
    assert err.value.code == "ner.missing"
    assert "frogdata" in err.value.hint


def test_engine_choice() -> None:
    assert build_ner_tagger("none") is None
    with pytest.raises(ModelError) as err:
        build_ner_tagger("spacy")
    assert err.value.code == "ner.unknown_engine" and "frog" in err.value.hint


def test_blocks_cover_the_text_and_cut_at_paragraphs() -> None:
    text = ("Een zin hier.\n\n" * 50) + "slot"
    blocks = list(_blocks(text, 100))
    assert "".join(b for _, b in blocks) == text
    assert all(len(b) <= 100 for _, b in blocks)
    assert all(text[o : o + len(b)] == b for o, b in blocks)
    assert all(b.endswith("\n") for _, b in blocks[:-1])


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
