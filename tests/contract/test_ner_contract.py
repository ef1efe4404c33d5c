"""One suite for every NerTagger: the fake and Frog (when Debian's frog is installed)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from models.base import Entity, NerTagger
from models.fakes import FakeNerTagger

TEXT = (
    "De heer Jan Vermeulen woont in Gent.\n"
    "Burgemeester Marleen Van den Bossche opende de zitting.\n"
    "Aanwezig:\nPieter Claes\nAn De Smet, schepen\n"
)
NAMES = ["Jan Vermeulen", "Marleen Van den Bossche", "Pieter Claes", "An De Smet"]


@pytest.fixture(scope="module", params=["fake", "frog"])
def tagger(request: pytest.FixtureRequest) -> Iterator[NerTagger]:
    if request.param == "fake":
        yield FakeNerTagger({n: "PER" for n in NAMES} | {"Gent": "LOC"})
        return
    if shutil.which("frog") is None:
        pytest.skip("Debian's frog is not installed (apt-get install frog frogdata uctodata)")
    from models.frog import FrogTagger

    import pytest_socket

    # Frog listens on 127.0.0.1: sockets are allowed only while the server starts and the one
    # loopback connection is opened; the tests then talk over that connection.
    pytest_socket.enable_socket()
    try:
        frog = FrogTagger()
        frog.tag("Start.")
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
    try:
        yield frog
    finally:
        frog.close()


def test_is_a_ner_tagger(tagger: NerTagger) -> None:
    assert isinstance(tagger, NerTagger)
    assert tagger.name


def test_offsets_point_at_the_entity_text(tagger: NerTagger) -> None:
    entities = tagger.tag(TEXT)
    assert entities and all(isinstance(e, Entity) for e in entities)
    for e in entities:
        assert TEXT[e.start : e.end] == e.text
        assert e.label in {"PER", "LOC", "ORG", "MISC", "PRO", "EVE"}


def test_finds_flemish_person_names(tagger: NerTagger) -> None:
    found = {e.text for e in tagger.tag(TEXT) if e.label == "PER"}
    assert set(NAMES) <= found


def test_names_do_not_run_across_lines(tagger: NerTagger) -> None:
    assert all("\n" not in e.text for e in tagger.tag(TEXT))


def test_empty_text_gives_nothing(tagger: NerTagger) -> None:
    assert tagger.tag("") == []
    assert tagger.tag("   \n\n") == []


def test_offsets_are_kept_across_several_calls(tagger: NerTagger) -> None:
    prefix = "Eerste zin zonder namen.\n\n"
    first = [(e.start, e.text) for e in tagger.tag(TEXT) if e.label == "PER"]
    second = [(e.start - len(prefix), e.text) for e in tagger.tag(prefix + TEXT) if e.label == "PER"]
    assert first == second
