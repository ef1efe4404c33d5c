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
    import pytest_socket

    from models.frog import FrogTagger

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


def test_past_its_deadline_a_tagger_raises_and_returns_nothing(tagger: NerTagger) -> None:
    import time

    from models.base import ModelError

    with pytest.raises(ModelError) as err:
        tagger.tag(TEXT, deadline=time.monotonic() - 1.0)
    assert err.value.code == "ner.timeout"
    assert {e.text for e in tagger.tag(TEXT) if e.label == "PER"} >= set(NAMES)  # and works after it


def test_frog_stops_a_hostile_text_at_the_deadline(tagger: NerTagger) -> None:
    """The re-review: 16,000 characters of "Aaaa " took 25 s in Frog, "aaaa " 113 s, with no limit."""
    import time

    from models.base import ModelError

    if tagger.name != "frog":
        pytest.skip("Frog's own cost")
    t0 = time.monotonic()
    assert tagger.tag("aaaa " * 3200) == []  # no capital letter: Frog's tags would not be used
    with pytest.raises(ModelError) as err:
        tagger.tag("Aaaa " * 40_000, deadline=time.monotonic() + 1.0)
    assert err.value.code == "ner.timeout"
    assert time.monotonic() - t0 < 4.0
    import pytest_socket

    pytest_socket.enable_socket()  # the timed-out connection was dropped: a new loopback one
    try:
        assert {e.text for e in tagger.tag(TEXT) if e.label == "PER"} >= set(NAMES)  # the next call is fine
    finally:
        pytest_socket.disable_socket(allow_unix_socket=True)
