"""One contract for the keyword index on both stores: SQLite's FTS5 and PostgreSQL's postings
(appliance.index.keywords). The same data ranks the same on both, to float rounding (FTS5's bm25 is the
reference); the permission filter (collection, document readers, deny entries) is inside the ranking
on both; deleted and deactivated chunks leave the results; search's snippets mark the same words.
PostgreSQL runs on the test process's throwaway server (skipped where it is not installed)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from appliance import access
from appliance.access.principals import Principal
from appliance.db.engine import read_session, write_session
from appliance.index.acl import ReadScope
from appliance.index.keywords import dialect_of, keyword_index
from appliance.index.sync import ensure_index, index_chunks, reindex, unindex_chunks
from appliance.index.text import analyze, fts_idf, keyword_terms, query_terms
from appliance.search.query import search
from tests.backends import PG_BIN
from tests.conftest import make_settings
from tests.keyword_world import QUERIES, KeywordWorld, add_document, build_world

STORES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    PG_BIN is None, reason="PostgreSQL is not installed (apt: postgresql)"))]


@pytest.fixture(params=STORES)
def world(request: pytest.FixtureRequest, tmp_path: Path) -> KeywordWorld:
    built = build_world(request.param, tmp_path)
    built.settings = make_settings(tmp_path)
    return built


def _rank(world: KeywordWorld, scope: ReadScope, query: str, n: int = 1000) -> list[tuple[int, float]]:
    with read_session(world.engine) as s:
        return keyword_index(s).rank(s, scope, keyword_terms(query), n)


def _staff(world: KeywordWorld, group: str, user_id: int = 900) -> tuple[Principal, ReadScope]:
    who = Principal(user_id, f"user{user_id}", "staff", frozenset({world.groups[group]}))
    with read_session(world.engine) as s:
        return who, access.read_scope(s, who)


def _restrict(world: KeywordWorld, documents: list[int], allow: list[str], deny: list[str] = ()) -> None:  # type: ignore[assignment]
    with write_session(world.engine) as s:
        for d in documents:
            access.set_document_readers(s, d, [(k, "") for k in allow], [(k, "") for k in deny])


def _texts(world: KeywordWorld) -> dict[int, tuple[int, int, str, str]]:
    """chunk id -> (document, collection, indexed text, language) of the active chunks, read back."""
    with read_session(world.engine) as s:
        rows = s.execute(sql("SELECT c.id, c.document_id, c.collection_id, c.context, c.text, c.language "
                             "FROM chunk c WHERE c.active = TRUE")).all()
    return {int(r[0]): (int(r[1]), int(r[2]), (r[3] + "\n" + r[4]) if r[3] else r[4], r[5]) for r in rows}


def _keyword_stats_agree(world: KeywordWorld) -> None:
    """On PostgreSQL the trigger-kept N and total length equal a fresh count."""
    if dialect_of(world.engine) != "postgresql":
        return
    with read_session(world.engine) as s:
        kept = tuple(s.execute(sql("SELECT chunks, tokens FROM keyword_stats")).one())
        counted = tuple(s.execute(sql("SELECT count(*), coalesce(sum(length), 0) FROM keyword_chunk")).one())
    assert kept == counted


@pytest.mark.skipif(PG_BIN is None, reason="PostgreSQL is not installed (apt: postgresql)")
def test_both_stores_rank_alike(tmp_path: Path) -> None:
    stores = {kind: build_world(kind, tmp_path / kind) for kind in ("sqlite", "postgresql") if
              (tmp_path / kind).mkdir() is None}

    def compare() -> int:
        compared = 0
        for scope_of in (lambda w: ReadScope(tuple(w.collections.values()), None),
                         lambda w: _staff(w, "ga")[1], lambda w: _staff(w, "gb", 901)[1]):
            for query in QUERIES:
                lite, pg = (_rank(w, scope_of(w), query) for w in (stores["sqlite"], stores["postgresql"]))
                assert [c for c, _ in lite] == [c for c, _ in pg] or _same_but_ties(lite, pg), query
                assert all(abs(a[1] - b[1]) <= 1e-9 * max(1.0, abs(a[1])) for a, b in zip(lite, pg)), query
                compared += len(lite)
        return compared

    assert compare() > 500
    # Document readers change the scope column, and with it FTS5's row length: still alike.
    for w in stores.values():
        _restrict(w, w.documents[:12:2], [f"g{w.groups['gb']}"])
        _restrict(w, w.documents[1:12:2], [f"g{w.groups['ga']}", "u901"], [f"g{w.groups['gb']}"])
        _keyword_stats_agree(w)
    assert compare() > 300


def _same_but_ties(a: list[tuple[int, float]], b: list[tuple[int, float]]) -> bool:
    """Equal up to the order of equal scores."""
    def key(rows: list[tuple[int, float]]) -> list[tuple[float, int]]:
        return sorted((-round(s, 9), c) for c, s in rows)
    return key(a) == key(b)


def test_analysis_folds_accents_and_stems(world: KeywordWorld) -> None:
    admin = ReadScope(tuple(world.collections.values()), None)
    texts = _texts(world)
    for query, word in (("vergunningen", "ergunning"), ("Ecole", "école"), ("Éénmalige", "éénmalige"),
                        ("crèches", "crèche"), ("premies", "premie")):
        ranked = _rank(world, admin, query)
        assert ranked, query
        top = texts[ranked[0][0]][2].lower()
        assert word in top, (query, top)
        # Every chunk whose analysed terms hold one of the query's terms is found, and no other.
        wanted = {c for c, (_, _, body, lang) in texts.items() if set(analyze(body, lang).split()) & set(query_terms(query))}
        assert {c for c, _ in ranked} == wanted, query
    assert [s for _, s in _rank(world, admin, "permis")] == sorted((s for _, s in _rank(world, admin, "permis")),
                                                                   reverse=True)


def test_permission_filter_is_inside_the_ranking(world: KeywordWorld) -> None:
    admin = ReadScope(tuple(world.collections.values()), None)
    a, b = world.collections["a"], world.collections["b"]
    best = [c for c, _ in _rank(world, admin, "vergunning")]
    with read_session(world.engine) as s:
        doc_of = dict(s.execute(sql("SELECT id, document_id FROM chunk")).all())
    top_docs = list(dict.fromkeys(doc_of[c] for c in best))[:6]
    _restrict(world, top_docs[:3], [f"g{world.groups['gb']}"])  # ga may not read these
    _restrict(world, top_docs[3:], [f"g{world.groups['ga']}"], [f"g{world.groups['ga']}"])  # deny wins
    texts = _texts(world)
    _, scope = _staff(world, "ga")
    readable = {c for c, (d, coll, _, _) in texts.items() if coll == a and d not in top_docs}
    terms = query_terms("vergunning")
    matching = {c for c in readable if set(analyze(texts[c][2], texts[c][3]).split()) & set(terms)}
    few = _rank(world, scope, "vergunning", n=5)
    assert len(few) == 5 and {c for c, _ in few} <= matching  # filled up from readable chunks only
    assert {c for c, _ in _rank(world, scope, "vergunning")} == matching
    with read_session(world.engine) as s:
        index = keyword_index(s)
        assert index.count(s, scope) == len(readable)
        assert index.count(s, scope, terms) == len(matching)
        weights = fts_idf(s, ["vergunning"], scope, 5)
    assert weights["vergunning"] == pytest.approx(math.log((len(readable) + 1) / (len(matching) + 1)) + 1)
    # A user named on a restricted document reads it; b's chunks stay out for a reader of a only.
    _restrict(world, top_docs[:1], [f"g{world.groups['gb']}", "u900"])
    shown = {doc_of[c] for c, _ in _rank(world, _staff(world, "ga")[1], "vergunning")}
    assert top_docs[0] in shown and not set(top_docs[1:]) & shown
    assert not {texts[c][1] for c, _ in _rank(world, scope, "permis")} - {a}
    assert b in {texts[c][1] for c, _ in _rank(world, admin, "permis")}
    _keyword_stats_agree(world)


def test_deleted_and_deactivated_chunks_leave_the_results(world: KeywordWorld) -> None:
    admin = ReadScope(tuple(world.collections.values()), None)
    ranked = [c for c, _ in _rank(world, admin, "sporthal")]
    gone, inactive = ranked[0], ranked[1]
    unindex_chunks(world, [gone])
    with write_session(world.engine) as s:
        s.execute(sql("UPDATE chunk SET active = FALSE WHERE id = :c"), {"c": inactive})
    index_chunks(world, [inactive])
    after = [c for c, _ in _rank(world, admin, "sporthal")]
    assert gone not in after and inactive in set(ranked) - set(after) and set(after) == set(ranked) - {gone, inactive}
    _keyword_stats_agree(world)
    # ensure_index puts back what is active but missing; reindex gives the same index again.
    assert ensure_index(world)["fts_added"] == 1
    assert {c for c, _ in _rank(world, admin, "sporthal")} == set(ranked) - {inactive}
    before = _rank(world, admin, "sporthal gemeenteraad")
    assert reindex(world)["fts"] == len(_texts(world))
    assert _rank(world, admin, "sporthal gemeenteraad") == before
    with read_session(world.engine) as s:
        assert keyword_index(s).count(s, admin) == len(_texts(world))
    _keyword_stats_agree(world)


def test_search_snippets_mark_the_matched_words(world: KeywordWorld) -> None:
    with write_session(world.engine) as s:
        doc = add_document(s, world.collections["a"], "tarieven.txt", [
            "Tarieven " * 25 + "De Éénmalige premies voor vergunningen aan crèches en écoles. " + "Slot " * 25],
            "nl", world.chunks)
    index_chunks(world, world.chunks[-1:])
    who, _ = _staff(world, "ga")
    result = search(world, who, "eenmalige premie vergunning", mode="keyword", limit=20)  # type: ignore[arg-type]
    assert result.mode == "keyword" and result.hits
    hit = next(h for h in result.hits if h.document_id == doc)
    assert "<mark>Éénmalige</mark>" in hit.snippet_html and "<mark>premies</mark>" in hit.snippet_html
    assert "<mark>vergunningen</mark>" in hit.snippet_html and hit.snippet_html.startswith("…")
    assert [h.chunk_id for h in result.hits] == [c for c, _ in _rank(world, _staff(world, "ga")[1],
                                                 "eenmalige premie vergunning", 20)][:len(result.hits)]
    # The document type filter reads the JSON column on both stores.
    assert search(world, who, "vergunning", mode="keyword", doc_type="nota").hits  # type: ignore[arg-type]
    assert not search(world, who, "vergunning", mode="keyword", doc_type="besluit").hits  # type: ignore[arg-type]
    # A reader of no collection gets nothing, not an error.
    nobody = Principal(950, "nobody", "staff", frozenset())
    assert search(world, nobody, "vergunning", mode="keyword").hits == []  # type: ignore[arg-type]


def test_term_counts_match_the_indexed_text(world: KeywordWorld) -> None:
    """What the document ranking reads of a passage: its number of indexed terms and the frequency
    of the asked terms, as the analysed text holds them (the same on both stores)."""
    texts = _texts(world)
    asked = keyword_terms("vergunning premie permis subvention gemeenteraad règlement déchets")
    with read_session(world.engine) as s:
        got = keyword_index(s).term_counts(s, sorted(texts) + [10**9], asked)
    assert set(got) == set(texts)  # an id that is not indexed gives nothing
    for cid, (_, _, indexed, lang) in texts.items():
        words = analyze(indexed, lang).split()
        want = {t: words.count(t) for t in set(asked) if t in words}
        assert got[cid] == (len(words), want), cid
    assert any(counts for _, counts in got.values())
