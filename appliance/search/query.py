"""Permission-scoped hybrid search: BM25 over the keyword index (appliance.index.keywords) + FAISS vectors,
fused by weighted reciprocal rank, each passage then supported by its document's other passages (fusion.py).

The permission filter comes first in both rankers: the keyword ranking query carries the readable
collections and, for documents with their own readers, the reader's principals (appliance.index.acl);
the vector search only opens the readable collections' indices and skips the unreadable chunks of
restricted documents inside the scan. So an unreadable passage is never scored, counted or snippeted.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from markupsafe import Markup, escape
from sqlalchemy import text as sql
from sqlmodel import Session

from appliance.access import Principal, read_scope
from appliance.db.engine import read_session
from appliance.errors import BelfortError
from appliance.index.acl import ReadScope, hidden_chunk_ids, readable_sql
from appliance.index.keywords import dialect_of, keyword_index
from appliance.index.sync import IndexHost, vector_backend
from appliance.index.text import keyword_terms, query_terms, snippet
from appliance.search.documents import Model, rank_documents
from appliance.search.documents import load_model as load_document_model
from appliance.search.fusion import Ranking, fuse, with_document_support
from appliance.search.relevance import MIN_COVERAGE, coverage, query_words, word_weights

if TYPE_CHECKING:
    from appliance.context import Appliance
    from appliance.settings import SearchSettings

log = logging.getLogger(__name__)

MODES = ("hybrid", "keyword", "vector")
SNIPPET_CHARS = 240


@dataclass
class Hit:
    chunk_id: int
    document_id: int
    version_id: int
    collection: str
    title: str
    source_path: str
    page: int
    char_start: int
    char_end: int
    text: str
    snippet_html: str
    score: float
    language: str
    coverage: float = 1.0  # weighted share of the query's content words in the passage (relevance.py)
    relevant: bool = True  # coverage >= MIN_COVERAGE
    # a long question's document ranking (documents.py): the chance that this passage's document is
    # the one that answers, among the candidates; None where it did not rank
    document_probability: float | None = None


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    took_ms: float = 0.0
    mode: str = "hybrid"
    relevant: bool = False  # whether any hit is about the query (the hits are the nearest ones either way)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _check_query(app: Appliance, query: str, mode: str) -> str:
    q = (query or "").strip()
    if not q:
        raise BelfortError("search.empty_query", "the search query is empty",
                           hint="type one or more words to search for", status=400)
    limit = app.settings.search.max_query_chars
    if len(q) > limit:
        raise BelfortError("search.query_too_long", f"the query has {len(q)} characters; at most {limit}",
                           hint="shorten the query to its key words", status=400)
    if mode not in MODES:
        raise BelfortError("search.bad_mode", f"unknown search mode '{mode}'",
                           hint="use one of: " + ", ".join(MODES), status=400)
    return q


def _scope(session: Session, who: Principal, collections: Iterable[int | str] | None) -> ReadScope:
    """What `who` may read, narrowed to the requested collections (by id or name). Unknown names give nothing."""
    if collections is None:
        return read_scope(session, who)
    wanted_ids = {int(c) for c in collections if isinstance(c, int) or str(c).isdigit()}
    names = [str(c) for c in collections if not (isinstance(c, int) or str(c).isdigit())]
    if names:
        rows = session.execute(sql("SELECT id, name FROM collection")).all()
        wanted_ids |= {cid for cid, name in rows if name in names}
    return read_scope(session, who, wanted_ids)


def keyword_ranking(session: Session, scope: ReadScope, terms: list[str], n: int) -> list[tuple[int, float]]:
    """BM25 over the keyword index (FTS5, or postings on PostgreSQL: appliance.index.keywords); the
    scope (readable collections and documents) is inside the ranking query and never changes a score.
    Rows of inactive chunks are removed by unindex_chunks (and by ensure_index); `_hydrate` checks again.
    """
    if not terms or not scope:
        return []
    return keyword_index(session).rank(session, scope, terms, n)


def vector_ranking(app: IndexHost, scope: ReadScope, query: str, n: int,
                   hidden: frozenset[int] | None = None) -> list[tuple[int, float]] | None:
    """Cosine top-n over the scope's vectors (any VectorIndex) less the `hidden` chunks (unreadable
    documents of those collections); None when no embedder can run."""
    backend = vector_backend(app)
    if backend is None or not scope:
        return None if backend is None else []
    embedder, index = backend
    try:
        qvec = embedder.embed_queries([query])[0]
        return index.search(scope.collections, qvec, n, exclude=hidden)
    except Exception as exc:  # noqa: BLE001  (a broken engine degrades to keyword search)
        log.warning("vector search failed: %s", type(exc).__name__)
        return None


def _documents_of(session: Session, chunk_ids: list[int]) -> dict[int, int]:
    """chunk -> document of the active chunks among `chunk_ids` (an index entry of a deactivated chunk
    is no candidate: its document must not count in a ranking of documents)."""
    if not chunk_ids:
        return {}
    ids = ",".join(str(int(c)) for c in chunk_ids)
    return {int(c): int(d) for c, d in session.execute(
        sql(f"SELECT id, document_id FROM chunk WHERE id IN ({ids}) AND active = TRUE"))}


def rank(session: Session, keyword: Ranking, vector: Ranking, cfg: SearchSettings,
         documents: tuple[ReadScope, list[str], Model, str] | None = None) -> tuple[Ranking, dict[int, float]]:
    """The hybrid ranking: both rankings fused, then each passage supported by its document's others;
    with `documents` (scope, keyword terms, model, the question: a long question) in the order of the
    documents' ranking (appliance.search.documents), with each candidate document's probability."""
    ranked = fuse([keyword, vector], cfg.rrf_k, (cfg.keyword_weight, 1.0))
    doc_of = _documents_of(session, [cid for cid, _ in ranked])
    if documents is not None:
        scope, terms, model, question = documents
        return rank_documents(session, scope, keyword, vector, ranked, doc_of, terms, model, question)
    return with_document_support(ranked, doc_of, cfg.document_share, cfg.document_passages), {}


def document_model(app: Appliance, query: str) -> Model | None:
    """The document ranking's model where it applies to `query`: a question at least as long as the
    ones it was fitted on, with the embedder it was fitted with; else None (the passage fusion ranks)."""
    cfg = app.settings.search
    if not cfg.document_ranking or len(query) < cfg.document_ranking_min_chars:
        return None
    model = load_document_model()
    backend = vector_backend(app)
    if model is None or backend is None or backend[0].id != model.embedder:
        return None
    return model


def mark(text: str, spans: list[tuple[int, int]]) -> str:
    """HTML-escaped text with <mark> around the spans."""
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.append(str(escape(text[pos:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return str(Markup("".join(out)))


def _doc_type_sql(session: Session) -> str:
    """The document type in `d.meta` (a JSON column) as text, in the store's dialect."""
    if dialect_of(session) == "postgresql":
        return "json_extract_path_text(d.meta, 'structure', 'doc_type')"
    return "json_extract(d.meta, '$.structure.doc_type')"


def _hydrate(session: Session, scope: ReadScope, ranked: list[tuple[int, float]],
             terms: set[str], limit: int, doc_type: str | None = None) -> list[Hit]:
    if not ranked:
        return []
    # The document type (from structure extraction at ingest) narrows results; it is no permission rule.
    type_sql = f" AND {_doc_type_sql(session)} = :doc_type" if doc_type else ""
    ids = ",".join(str(cid) for cid, _ in ranked)
    scope_sql = ",".join(str(c) for c in scope.collections)
    rows = session.execute(sql(
        "SELECT c.id, c.document_id, c.version_id, col.name, d.title, d.source_path, c.page, "
        "c.char_start, c.char_end, c.text, c.language FROM chunk c "
        "JOIN document d ON d.id = c.document_id JOIN collection col ON col.id = c.collection_id "
        f"WHERE c.id IN ({ids}) AND c.collection_id IN ({scope_sql}) AND c.active = TRUE AND d.state != 'retired'"
        f" AND {readable_sql(scope)}" + type_sql
    ), {"doc_type": doc_type} if doc_type else {}).all()
    by_id = {r[0]: r for r in rows}
    hits: list[Hit] = []
    for cid, score in ranked:
        r = by_id.get(cid)
        if r is None:
            continue  # a stale index entry: ensure_index removes it later
        shown, spans = snippet(r[9], terms, SNIPPET_CHARS)
        hits.append(Hit(chunk_id=r[0], document_id=r[1], version_id=r[2], collection=r[3],
                        title=r[4] or r[5], source_path=r[5], page=r[6], char_start=r[7], char_end=r[8],
                        text=r[9], snippet_html=mark(shown, spans), score=round(score, 6), language=r[10]))
        if len(hits) >= limit:
            break
    return hits


def _judge(session: Session, scope: ReadScope, query: str, hits: list[Hit]) -> bool:
    """Set each hit's coverage and relevance; True when at least one hit is relevant."""
    words = query_words(query)
    weights = word_weights(session, words, scope) if hits and words else {}
    for hit in hits:
        hit.coverage = round(coverage(words, weights, hit.text), 3)
        hit.relevant = hit.coverage >= MIN_COVERAGE
    return any(h.relevant for h in hits)


def search(app: Appliance, who: Principal, query: str, *, limit: int = 10,
           collections: Iterable[int | str] | None = None, mode: str = "hybrid",
           doc_type: str | None = None) -> SearchResult:
    """Search the passages `who` may read. Raises BelfortError search.empty_query / query_too_long."""
    started = time.perf_counter()
    q = _check_query(app, query, mode)
    limit = max(1, min(int(limit), 100))
    cfg = app.settings.search
    n = max(cfg.candidates, limit)
    terms = query_terms(q)
    kterms = keyword_terms(q)
    with read_session(app.db) as session:
        scope = _scope(session, who, collections)
        keyword = keyword_ranking(session, scope, kterms, n) if mode != "vector" else []
        vector = vector_ranking(app, scope, q, n, hidden_chunk_ids(session, scope)) if mode != "keyword" else []
        used = mode
        probability: dict[int, float] = {}
        if vector is None:  # no embedder: keyword search, and the result says so
            used, vector = "keyword", []
            if mode == "vector":
                keyword = keyword_ranking(session, scope, kterms, n)
        if used == "hybrid":
            model = document_model(app, q)
            ranked, probability = rank(session, keyword, vector, cfg,
                                       (scope, kterms, model, q) if model is not None else None)
        else:
            ranked = keyword if used == "keyword" else vector
        hits = _hydrate(session, scope, ranked, set(terms), limit, doc_type)
        for hit in hits:
            hit.document_probability = probability.get(hit.document_id)
        relevant = _judge(session, scope, q, hits)
    took = (time.perf_counter() - started) * 1000
    total = len(hits) if doc_type else len(ranked)
    return SearchResult(query=q, hits=hits, total=total, took_ms=round(took, 2), mode=used, relevant=relevant)
