"""Chunks are exact slices of their page, cut at natural boundaries, with overlap and a language."""

from __future__ import annotations

import random
from itertools import pairwise

import pytest

from ingest.chunk import CHUNKER_VERSION, chunk_pages, detect_language, dominant_language
from ingest.extract.common import clean_text
from ingest.types import Page
from tests import filefactory as ff

NL = ("De gemeenteraad keurt de jaarrekening van het afgelopen jaar goed na een lange bespreking. "
      "De schepen van financiën licht de cijfers toe en beantwoordt de vragen van de oppositie. ")
FR = ("Le conseil communal approuve les comptes annuels de l'exercice écoulé après une longue discussion. "
      "L'échevin des finances présente les chiffres et répond aux questions de l'opposition. ")


def _check_invariant(pages: list[Page], chunks) -> None:  # type: ignore[no-untyped-def]
    by_number = {p.number: p for p in pages}
    for chunk in chunks:
        page = by_number[chunk.page]
        assert page.text[chunk.char_start:chunk.char_end] == chunk.text
        assert chunk.text == chunk.text.strip() and chunk.text


def test_version_is_recorded() -> None:
    assert CHUNKER_VERSION == "2"


def test_offsets_are_exact_and_chunks_never_cross_pages() -> None:
    pages = [Page(1, (NL * 12).strip()), Page(2, "Kort."), Page(3, (FR * 9).strip())]
    chunks = chunk_pages(pages, size=400, overlap=80)
    _check_invariant(pages, chunks)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    assert {c.page for c in chunks} == {1, 2, 3}
    assert [c.text for c in chunks if c.page == 2] == ["Kort."]
    for chunk in chunks:
        assert len(chunk.text) <= 400


def test_cuts_prefer_sentence_ends_and_overlap() -> None:
    page = Page(1, (NL * 10).strip())
    chunks = chunk_pages([page], size=300, overlap=100)
    assert len(chunks) > 3
    for chunk in chunks[:-1]:
        assert chunk.text.endswith(".")  # sentence boundary, not mid-word
    for previous, current in pairwise(chunks):
        assert current.char_start < previous.char_end  # overlap
        assert current.char_start > previous.char_start
        assert page.text[current.char_start - 2:current.char_start] == ". "  # starts at a sentence


def test_paragraph_breaks_win() -> None:
    text = "Eerste alinea over het budget. " * 8 + "\n\n" + "Tweede alinea over de wegen. " * 8
    page = Page(1, clean_text(text))
    chunks = chunk_pages([page], size=300, overlap=0)
    assert chunks[0].text.endswith("budget.")
    assert chunks[1].text.startswith("Tweede alinea")


def test_no_overlap_covers_all_text_once() -> None:
    page = Page(1, clean_text(NL * 7))
    chunks = chunk_pages([page], size=250, overlap=0)
    rebuilt = " ".join(c.text for c in chunks)
    assert rebuilt.split() == page.text.split()


@pytest.mark.parametrize("seed", range(20))
def test_invariant_on_random_text(seed: int) -> None:
    rng = random.Random(seed)
    alphabet = "abcdeéëfghij klmnop\n.,!? \t" + "東京" + "\u00a0"
    raw = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 5000)))
    pages = [Page(1, clean_text(raw)), Page(2, raw)]  # the chunker must cope with uncleaned text too
    size = rng.choice([50, 120, 900])
    chunks = chunk_pages(pages, size=size, overlap=rng.choice([0, 20, 120]))
    _check_invariant(pages, chunks)
    assert all(len(c.text) <= size for c in chunks)


def test_long_word_is_hard_cut() -> None:
    page = Page(1, "x" * 2000)
    chunks = chunk_pages([page], size=900, overlap=120)
    _check_invariant([page], chunks)
    assert chunks[0].text == "x" * 900 and chunks[-1].char_end == 2000


def test_empty_pages_give_no_chunks() -> None:
    assert chunk_pages([Page(1, ""), Page(2, "  \n\n ")]) == []


def test_language_per_chunk() -> None:
    pages = [Page(1, NL.strip()), Page(2, FR.strip()), Page(3, "Agenda"), Page(4, "Привет, как дела у тебя сегодня?")]
    chunks = chunk_pages(pages)
    assert [c.language for c in chunks] == ["nl", "fr", "", ""]
    assert dominant_language(chunks) in {"nl", "fr"}
    assert dominant_language([]) == ""


@pytest.mark.parametrize(("text", "lang"), [
    ("The council approves the annual accounts after a long debate about the budget.", "en"),
    ("Der Gemeinderat genehmigt den Jahresabschluss nach einer langen Debatte.", "de"),
    ("De burgemeester opent de zitting en verwelkomt de aanwezigen.", "nl"),
    ("Le bourgmestre ouvre la séance et souhaite la bienvenue aux personnes présentes.", "fr"),
    ("1234 5678 90", ""),
])
def test_detect_language(text: str, lang: str) -> None:
    assert detect_language(text) == lang


def test_chunks_from_a_real_extraction(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ingest.extract import extract

    result = extract(ff.make_pdf(tmp_path / "b.pdf"))
    chunks = chunk_pages(result.pages, size=200, overlap=40)
    _check_invariant(result.pages, chunks)
    assert {c.language for c in chunks} == {"nl"}
