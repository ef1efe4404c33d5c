"""Property-based fuzzing of the pure functions that see user text: the chunker, text clean-up and
analysis, search queries, PII detection, HTTP Range parsing and the file-name sanitisers."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from appliance.errors import BelfortError
from ingest.chunk import chunk_pages
from ingest.extract.common import clean_text
from ingest.types import Page
from tests.fuzz.support import hang_guard

FUZZ = settings(max_examples=60, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# Text that looks like what municipalities write, with the characters that break naive code mixed in.
WORDS = st.sampled_from([
    "gemeenteraad", "Kerkstraat", "12", "bus", "3", "B-2000", "Antwerpen", "café", "Zoë", "één", "ﬁnale",
    "BE71 0961 2345 6769", "85.07.30-033.28", "0471 23 45 67", "jan.peeters@belfort.be", "1-ABC-123",
    "Dhr.", "Mevr.", "A-", "-", ".", "…", ";", ":", "?", "!", "(", ")", "«", "»", "\t", "\n", "\n\n", " ",
    "東京", "\u0301", "\u200b", "\ufeff", "\u202e", "\x00", "\r\n", "\u2028", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "☕",
])
TEXT = st.lists(WORDS | st.text(max_size=12), max_size=300).map(" ".join)


@FUZZ
@given(TEXT)
def test_clean_text_leaves_no_control_characters_or_ragged_whitespace(raw: str) -> None:
    text = clean_text(raw)
    assert "\r" not in text and "\x00" not in text and "\u200b" not in text
    assert "\n\n\n" not in text and text == text.strip()
    assert "  " not in text


@FUZZ
@given(st.lists(TEXT, min_size=1, max_size=3), st.integers(50, 1200), st.integers(0, 700))
def test_chunks_are_exact_slices_that_cover_every_word(pages_raw: list[str], size: int, overlap: int) -> None:
    pages = [Page(number=n, text=clean_text(t)) for n, t in enumerate(pages_raw, 1)]
    with hang_guard(10):
        chunks = chunk_pages(pages, size=size, overlap=overlap)
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    for page in pages:
        mine = [c for c in chunks if c.page == page.number]
        covered = [False] * len(page.text)
        for c in mine:
            assert page.text[c.char_start:c.char_end] == c.text and c.text.strip()
            assert len(c.text) <= size, "a chunk longer than the chunk size"
            covered[c.char_start:c.char_end] = [True] * (c.char_end - c.char_start)
        assert [c.char_start for c in mine] == sorted({c.char_start for c in mine}), "starts must advance"
        lost = [ch for ch, seen in zip(page.text, covered, strict=True) if not seen and not ch.isspace()]
        assert not lost, f"characters no chunk holds: {''.join(lost)[:40]!r}"


@settings(FUZZ, max_examples=10)
@given(st.sampled_from(["x", "ab", "a.", "a ", "a\n", "…", "!?"]), st.integers(50, 900))
def test_the_chunker_is_linear_on_one_huge_repetitive_page(unit: str, size: int) -> None:
    text = clean_text(unit * (400_000 // len(unit)))
    start = time.perf_counter()
    chunks = chunk_pages([Page(1, text)], size=size, overlap=size // 4)
    assert time.perf_counter() - start < 20
    assert chunks and chunks[-1].char_end >= len(text.rstrip()) - 1


@FUZZ
@given(st.text(max_size=300) | TEXT)
def test_any_query_is_safe_fts_and_any_text_analyses(query: str) -> None:
    from appliance.index.text import analyze, fts_match_expression, query_terms, snippet

    terms = query_terms(query)
    assert all(isinstance(t, str) and t for t in terms)
    expression = fts_match_expression(terms, [1, 2])
    assert expression.count('"') % 2 == 0
    analyze(query, "nl")
    text, spans = snippet(query * 3, set(terms), width=80)
    assert all(0 <= s < e <= len(text) for s, e in spans)


@pytest.fixture(scope="module")
def search_world(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    from appliance.access.principals import Principal
    from appliance.context import open_appliance
    from appliance.documents import ingest as documents
    from models.fakes import FakeEmbedder
    from tests.conftest import make_settings
    from tests.filefactory import make_text

    tmp = tmp_path_factory.mktemp("fuzz-search")
    app = open_appliance(make_settings(tmp), embedder=FakeEmbedder())
    path = make_text(tmp / "raad.txt", "De gemeenteraad keurt het reglement op de fietsenstalling goed. café \"x\"")
    assert documents.ingest_file(app, path, "raad").state == "ingested"
    return app, Principal(None, "fuzz", "system")


@settings(FUZZ, max_examples=80)
@given(st.text(min_size=1, max_size=200) | TEXT | st.sampled_from(
    ['"', '""', "*", "NEAR(a b)", "a AND OR NOT", "^a", "col:x", "terms : x", "scope : c1", "(", ")", "a OR",
     "-x", "'", "\\", "%", "_", "--", ";DROP TABLE chunk;", "\x00"]))
def test_any_query_searches_or_fails_by_name(search_world, query: str) -> None:  # type: ignore[no-untyped-def]
    from appliance.search.query import search

    app, system = search_world
    try:
        result = search(app, system, query, mode="keyword")
    except BelfortError as err:
        assert err.code.startswith("search."), err.code
        return
    for hit in result.hits:
        assert "<" not in hit.snippet_html.replace("<mark>", "").replace("</mark>", "")


# -- PII ------------------------------------------------------------------------------------------

@FUZZ
@given(TEXT)
def test_pii_spans_are_exact_sorted_and_disjoint(text: str) -> None:
    from appliance.privacy.pii import ENTITY_TYPES, default_first_names, detect_pii

    spans = detect_pii(text, first_names=default_first_names())
    previous_end = 0
    for s in spans:
        assert s.entity_type in ENTITY_TYPES
        assert previous_end <= s.start < s.end <= len(text)
        assert text[s.start:s.end] == s.text
        previous_end = s.end


PII_STORMS = ["A-", "A- ", "1 ", "12", "a@", "a.", "Kerkstraat ", "straat ", "bus ", "B-", "BE", "Dhr. ",
              "Jan ", "0", "+32", "-", "/", ".", "Aa", "aA1-", " \n", "nr ", "laan 1"]


@settings(FUZZ, max_examples=8)
@given(st.lists(st.sampled_from(PII_STORMS), min_size=1, max_size=3))
@example(["A-"])  # the review's reproduction
def test_pii_detection_is_linear_on_200000_characters(pieces: list[str]) -> None:
    """Issue 19: 16,000 characters of 'A-' once took 12 s and froze the whole server.

    The 2 s target is measured on a quiet machine (bench/); here, on shared CI cores, the test
    asserts linear growth (4x the text, at most 8x the time; quadratic is 16x) and a loose bound.
    """
    from appliance.privacy.pii import default_first_names, detect_pii

    names = default_first_names()
    unit = "".join(pieces)
    took: dict[int, float] = {}
    for size in (50_000, 200_000):
        text = (unit * (size // len(unit) + 1))[:size]
        with hang_guard(10) as timing:
            detect_pii(text, first_names=names)
        took[size] = timing["seconds"]
    assert took[200_000] < 5, f"{unit!r}: {took[200_000]:.1f} s for 200,000 characters"
    assert took[200_000] < 8 * took[50_000] + 0.3, f"{unit!r} grows faster than linear: {took}"


# -- Range headers and names ----------------------------------------------------------------------

RANGES = st.one_of(
    st.text(max_size=40),
    st.builds(lambda a, b, c: f"bytes={a}-{b}{c}", st.integers(-5, 2**70).map(str) | st.just(""),
              st.integers(-5, 2**70).map(str) | st.just(""), st.sampled_from(["", ",0-1", ", 5-", "x", " "])),
    st.sampled_from(["bytes=", "bytes=-", "bytes=--1", "bytes=0-0", "BYTES = 0-", "bytes=9" * 2000]),
)


@FUZZ
@given(RANGES, st.integers(1, 10_000_000))
def test_range_header_is_whole_file_a_valid_range_or_416(header: str, size: int) -> None:
    from appliance.recordings.store import parse_range

    try:
        rng = parse_range(header, size)
    except BelfortError as err:
        assert err.code == "http.range_not_satisfiable" and err.status == 416
        return
    if rng is not None:
        assert 0 <= rng.start <= rng.end < size


NAMES = st.text(max_size=300) | st.lists(st.sampled_from(
    ["..", ".", "/", "\\", "\x00", "a", "é", "e\u0301", " ", "\u202e", "con", ".git", "~", ":", "*", "東京",
     "x" * 120, ".pdf", "%2e%2e", "\t", "\n"]), max_size=30).map("".join)


def _assert_safe_component(name: str) -> None:
    assert name and name not in (".", "..") and not name.startswith(".")
    assert not {"/", "\\", "\x00"} & set(name)
    assert len(name.encode("utf-8")) <= 255


@FUZZ
@given(NAMES)
def test_every_name_sanitiser_returns_one_safe_component(raw: str) -> None:
    from appliance.documents.uploads import sanitize_filename
    from appliance.storage.names import display_name, safe_file_name, safe_relative_name
    from ingest.extract.mail import safe_attachment_name

    _assert_safe_component(safe_file_name(raw))
    _assert_safe_component(safe_attachment_name(raw, 1, "application/pdf"))
    relative = safe_relative_name(raw)
    assert not relative.startswith("/") and ".." not in relative.split("/") and "\x00" not in relative
    shown = display_name(raw)
    assert "/" not in shown and "\x00" not in shown and not shown.startswith(".")
    try:
        _assert_safe_component(sanitize_filename(raw))
    except BelfortError as err:
        assert err.code == "upload.bad_name"
