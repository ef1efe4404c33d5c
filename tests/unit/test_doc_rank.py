"""Search's document ranking for long questions (appliance.search.documents): whole-document BM25
over the readable passages, the linear model's order, the passages listed per document, and where
the model applies. The keyword world runs on SQLite here (the per-store reads are in the keyword
back-end contract tests)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest

from appliance.db.engine import read_session
from appliance.index.acl import ReadScope
from appliance.index.keywords import keyword_index
from appliance.index.text import analyze, keyword_terms
from appliance.search import documents
from appliance.search.documents import FEATURES, Model, order_passages, rank_documents
from appliance.search.query import _documents_of, document_model
from tests.keyword_world import KeywordWorld, build_world

QUESTION = ("Kan de minister toelichten hoe de subsidie voor jeugdverenigingen en de premie voor dakisolatie "
            "worden toegekend, en of de vergunning voor de sporthal al door de gemeenteraad werd goedgekeurd? "
            "Welke financiële steun krijgen verenigingen die culturele activiteiten organiseren?")


@pytest.fixture
def world(tmp_path: Path) -> KeywordWorld:
    return build_world("sqlite", tmp_path, documents=30, chunks_per_document=4)


def _only(feature: str) -> Model:
    return Model(mean=[0.0] * len(FEATURES), scale=[1.0] * len(FEATURES),
                 coef=[1.0 if f == feature else 0.0 for f in FEATURES])


def _whole_document_bm25(world: KeywordWorld, scope: ReadScope, terms: list[str], docs: list[int]) -> dict[int, float]:
    """Brute force from the chunk table: BM25 over each document's analysed passages."""
    from sqlalchemy import text as sql

    with read_session(world.engine) as s:
        rows = s.execute(sql("SELECT document_id, collection_id, context, text, language FROM chunk "
                             "WHERE active = TRUE")).all()
    readable = [r for r in rows if r[1] in scope.collections]
    chunk_words = [(r[0], analyze((r[2] + "\n" + r[3]) if r[2] else r[3], r[4]).split()) for r in readable]
    n = len(chunk_words)
    length: Counter[int] = Counter()
    tf: dict[int, Counter[str]] = {}
    for d, words in chunk_words:
        length[d] += len(words)
        tf.setdefault(d, Counter()).update(words)
    avg = sum(length[d] for d in docs) / len(docs)
    out = {}
    for d in docs:
        score = 0.0
        for term, qf in Counter(terms).items():
            df = sum(1 for _, w in chunk_words if term in w)
            f = tf.get(d, Counter())[term]
            idf = math.log(1 + (n - df + 0.5) / (df + 0.5))
            score += qf * idf * f * 2.2 / (f + 1.2 * (0.25 + 0.75 * length[d] / avg)) if f else 0.0
        out[d] = score
    return out


def test_documents_are_ranked_by_whole_document_bm25(world: KeywordWorld) -> None:
    scope = ReadScope(tuple(world.collections.values()), None)
    terms = keyword_terms(QUESTION)
    with read_session(world.engine) as s:
        keyword = keyword_index(s).rank(s, scope, terms, 50)
        doc_of = _documents_of(s, [c for c, _ in keyword])
        ranked, chance = rank_documents(s, scope, keyword, [], keyword, doc_of, terms, _only("bm25"))
    order = list(dict.fromkeys(doc_of[c] for c, _ in ranked))
    expected = _whole_document_bm25(world, scope, terms, order)
    assert [round(expected[d], 9) for d in order] == sorted((round(v, 9) for v in expected.values()), reverse=True)
    assert sorted(c for c, _ in ranked) == sorted(c for c, _ in keyword)  # the same passages, re-ordered
    # a document with its passages spread out can beat the best single passage
    passage_order = list(dict.fromkeys(doc_of[c] for c, _ in keyword))
    assert order != passage_order
    # the documents' probabilities follow the order and sum to one
    assert abs(sum(chance.values()) - 1) < 1e-9 and set(chance) == set(order)
    assert [chance[d] for d in order] == sorted(chance.values(), reverse=True)


def test_only_readable_collections_are_read(world: KeywordWorld) -> None:
    """A candidate document outside the reader's collections contributes no term counts."""
    a_only = ReadScope((world.collections["a"],), None)
    terms = keyword_terms(QUESTION)
    with read_session(world.engine) as s:
        from sqlalchemy import text as sql

        owner = dict(s.execute(sql("SELECT id, collection_id FROM document")).all())
        stats = documents._document_terms(s, documents._passages(s, a_only, list(owner)), terms)
        keyword = keyword_index(s).rank(s, a_only, terms, 50)
        doc_of = _documents_of(s, [c for c, _ in keyword])
        ranked, _ = rank_documents(s, a_only, keyword, [], keyword, doc_of, terms, _only("bm25"))
    assert stats and all(owner[d] == world.collections["a"] for d in stats)
    assert all(owner[doc_of[c]] == world.collections["a"] for c, _ in ranked)


def test_passages_are_listed_per_document() -> None:
    fused = [(1, 0.9), (2, 0.8), (3, 0.7), (4, 0.6), (5, 0.5), (6, 0.4)]
    doc_of = {1: 10, 2: 20, 3: 20, 4: 20, 5: 10, 6: 30}
    ordered = [c for c, _ in order_passages(fused, doc_of, [20, 10, 30])]
    # document 20's two best passages, then 10's, then 30's; 20's third passage after them
    assert ordered == [2, 3, 1, 5, 6, 4]
    scores = [s for _, s in order_passages(fused, doc_of, [20, 10, 30])]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)


def test_the_model_applies_to_long_questions_with_its_embedder(monkeypatch: pytest.MonkeyPatch) -> None:
    model = Model(mean=[0.0] * len(FEATURES), scale=[1.0] * len(FEATURES), coef=[0.0] * len(FEATURES),
                  embedder="e5:test")
    monkeypatch.setattr("appliance.search.query.load_document_model", lambda: model)
    search_cfg = SimpleNamespace(document_ranking=True, document_ranking_min_chars=200)
    app = SimpleNamespace(settings=SimpleNamespace(search=search_cfg), embedder=SimpleNamespace(id="e5:test"),
                          index=object())
    assert document_model(app, QUESTION) is model  # type: ignore[arg-type]
    assert document_model(app, "premie dakisolatie") is None  # type: ignore[arg-type]
    app.embedder = SimpleNamespace(id="sentence-transformers:other")
    assert document_model(app, QUESTION) is None  # type: ignore[arg-type]
    app.embedder = SimpleNamespace(id="e5:test")
    search_cfg.document_ranking = False
    assert document_model(app, QUESTION) is None  # type: ignore[arg-type]


def test_the_shipped_model_loads() -> None:
    model = documents.load_model()
    assert model is not None and len(model.coef) == len(FEATURES) and model.embedder.startswith("e5:")


@pytest.mark.parametrize(("text", "parts"), [
    ("1. Hoeveel dossiers? 2. Welke termijn?3. a) Wie beslist? b) Wanneer?", 3),
    ("Graag vernam ik:1) het aantal;2) de kosten", 2),
    ("In mijn vraag nr. 1698 van 5 oktober 2016 (blz. 201). De minister antwoordde.", 0),  # no items
    ("Artikel 3. De raad beslist. 2. Daarna", 0),  # a run must start at 1
    ("1. De eerste vraag. 3. De derde", 1),
    ("Het budget steeg met 12. Dat is veel.", 0),  # one number alone is no run from 1
])
def test_numbered_parts(text: str, parts: int) -> None:
    assert documents.numbered_parts(text) == parts


def test_a_document_with_the_questions_numbered_parts_is_marked() -> None:
    """parts_match: as many numbered parts as the question; parts_extra: more than it asks."""
    keyword = [(1, 3.0), (2, 2.0), (3, 1.0)]
    doc_of = {1: 10, 2: 20, 3: 30}
    stats = {d: (10, Counter({"premie": 1})) for d in (10, 20, 30)}
    docs, rows = documents.document_features(keyword, [], doc_of, stats, ["premie"], {"premie": 1.0},
                                             {10: 5, 20: 3, 30: 0}, 3)
    names = ("parts_match", "parts_extra")
    got = {d: tuple(r[FEATURES.index(n)] for n in names) for d, r in zip(docs, rows, strict=True)}
    assert got == {10: (0.0, 1.0), 20: (1.0, 0.0), 30: (0.0, 0.0)}
    # a question without numbered parts matches no document's count
    docs, rows = documents.document_features(keyword, [], doc_of, stats, ["premie"], {"premie": 1.0},
                                             {20: 0}, 0)
    assert all(r[FEATURES.index("parts_match")] == 0.0 for r in rows)


def test_numbered_parts_are_read_in_a_documents_first_readable_passages(
        world: KeywordWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from sqlalchemy import text as sql

    from appliance.db.engine import write_session

    monkeypatch.setattr(documents, "PARTS_PASSAGES", 2)
    with read_session(world.engine) as s:
        owner = dict(s.execute(sql("SELECT id, collection_id FROM document")).all())
    in_a = next(d for d, c in owner.items() if c == world.collections["a"])
    in_b = next(d for d, c in owner.items() if c != world.collections["a"])
    with write_session(world.engine) as s:
        for d in (in_a, in_b):
            for ordinal, item in ((0, "1. Eerst"), (1, "2. Dan"), (2, "3. Daarna")):
                s.execute(sql("UPDATE chunk SET text = :t WHERE document_id = :d AND ordinal = :o"),
                          {"t": item + " de premie.", "d": d, "o": ordinal})
    with read_session(world.engine) as s:
        parts = documents._document_parts(documents._passages(s, ReadScope((world.collections["a"],), None),
                                                              [in_a, in_b]))
    assert parts == {in_a: 2}  # the third passage is not read; the other collection's document not at all
