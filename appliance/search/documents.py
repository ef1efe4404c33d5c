"""Document ranking for long questions: which documents answer, decided from several measures at once.

A long question (a citizen's letter, a council member's written question) names many things; the
passage fusion (fusion.py) ranks passages by how well each alone matches, so a document that answers
the question across three passages can lose to one passage of a neighbouring document. Here the
documents of the keyword and the vector candidates are ranked as documents, by a linear model over:
- the document's best and second-best passage in each ranking (scores relative to the query's best)
  and its rank in each;
- how many of its passages each ranking found;
- BM25 over the whole document (term frequencies summed over its indexed passages, two length
  normalisations; IDF counted over the passages the searcher may read; average length over the
  candidates), and the rank that gives;
- the document's length;
- how the document's numbered parts ("1. … 2. … 3. …") compare with the question's: a reply to a
  question in three numbered parts answers in three numbered parts; a neighbouring document has its
  own count, often more parts than the question asks.
The weights are fitted on the Chamber development questions only (`bench/doc_rank_fit.py`, listwise:
the question's own answer document against the other candidates; cross-validated figures in its
output) and ship in `doc_rank.json`. The model holds for what it was fitted on: questions of at
least `search.document_ranking_min_chars` characters, with the embedder it was fitted with (cosine
scales differ between engines); other queries keep the passage fusion.

Only documents the searcher can already see take part: the candidates come from the permission-scoped
rankings, and their other passages are read in the same readable collections.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import text as sql

from appliance.index.acl import ReadScope
from appliance.index.keywords import keyword_index

Ranking = list[tuple[int, float]]
WEIGHTS_FILE = Path(__file__).with_name("doc_rank.json")
FEATURES = ("keyword", "vector", "bm25", "bm25_flat", "keyword_rank", "vector_rank", "bm25_rank",
            "keyword_passages", "vector_passages", "keyword_second", "vector_second", "length",
            "in_keyword", "in_vector", "parts_match", "parts_extra")
MAX_DOCUMENT_PASSAGES = 400  # passages of one document read for its BM25 (longer ones: the first 400)
PASSAGES_FIRST = 2  # a document's best passages listed before the next document; the rest follow after
K1 = 1.2
PARTS_PASSAGES = 12  # a document's numbered parts are read in its first passages (a reply numbers them early)
# An item number that opens a part: "1." or "1)" after the start, a space or a sentence's end, before a word.
_NUMBER = re.compile(r"(?:^|(?<=[\s.;:?!)]))(\d{1,2})[.)]\s*(?=[^\W\d_]|[\"'(])")
_ABSENT_RANK = 100


@dataclass(frozen=True)
class Model:
    """A linear score over standardised features (weights from doc_rank.json)."""

    mean: Sequence[float]
    scale: Sequence[float]
    coef: Sequence[float]
    embedder: str = ""
    fitted_on: str = ""

    def score(self, x: Sequence[float]) -> float:
        return sum(c * (v - m) / (s or 1.0) for c, v, m, s in zip(self.coef, x, self.mean, self.scale, strict=True))


@cache
def load_model(path: Path = WEIGHTS_FILE) -> Model | None:
    """The shipped model; None when the file is absent (then the passage fusion alone ranks)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if list(data.get("features", [])) != list(FEATURES):
        raise ValueError(f"{path}: fitted on features {data.get('features')}, expected {list(FEATURES)}")
    return Model(mean=data["mean"], scale=data["scale"], coef=data["coef"],
                 embedder=str(data.get("embedder", "")), fitted_on=str(data.get("fitted_on", "")))


@dataclass
class _Lists:
    """A document's passages in one ranking: best score, rank among documents, scores seen."""

    best: dict[int, float]
    rank: dict[int, int]
    scores: dict[int, list[float]]


def _by_document(ranking: Ranking, doc_of: Mapping[int, int]) -> _Lists:
    lists = _Lists({}, {}, {})
    for cid, score in ranking:
        d = doc_of.get(cid)
        if d is None:
            continue
        lists.scores.setdefault(d, []).append(float(score))
        if d not in lists.best:
            lists.best[d] = float(score)
            lists.rank[d] = len(lists.rank) + 1
    return lists


def _passages(session: Any, scope: ReadScope, documents: Sequence[int]) -> list[tuple[int, int, str | None]]:
    """(passage, document, text) of the documents' active readable passages in reading order, read once
    for all the features: the text only of a document's first PARTS_PASSAGES (its numbered parts)."""
    if not documents or not scope.collections:
        return []
    docs = ",".join(str(int(d)) for d in documents)
    cols = ",".join(str(int(c)) for c in scope.collections)
    return [(int(c), int(d), t) for c, d, t in session.execute(sql(
        "SELECT id, document_id, CASE WHEN ordinal < :n THEN text END FROM chunk "
        f"WHERE document_id IN ({docs}) AND collection_id IN ({cols}) AND active = TRUE "
        "ORDER BY document_id, ordinal"), {"n": PARTS_PASSAGES})]


def _document_terms(session: Any, passages: Sequence[tuple[int, int, str | None]], terms: Sequence[str]
                    ) -> dict[int, tuple[int, Counter[str]]]:
    """document -> (indexed terms, frequency of each query term) over its active readable passages,
    as `_passages` read them."""
    doc_of: dict[int, int] = {}
    taken: Counter[int] = Counter()
    for cid, d, _ in passages:
        if taken[d] < MAX_DOCUMENT_PASSAGES:
            taken[d] += 1
            doc_of[cid] = d
    out: dict[int, tuple[int, Counter[str]]] = {}
    if not doc_of:
        return out
    for cid, (length, tf) in keyword_index(session).term_counts(session, list(doc_of), terms).items():
        n, counts = out.get(doc_of[cid], (0, Counter()))
        counts.update(tf)
        out[doc_of[cid]] = (n + length, counts)
    return out


def numbered_parts(text: str) -> int:
    """How many numbered parts `text` has: the longest run 1, 2, … k of item numbers ("1.", "2)")."""
    numbers = {int(n) for n in _NUMBER.findall(text)}
    k = 0
    while k + 1 in numbers:
        k += 1
    return k


def _document_parts(passages: Sequence[tuple[int, int, str | None]]) -> dict[int, int]:
    """document -> its numbered parts, in the texts `_passages` read (its first PARTS_PASSAGES)."""
    texts: dict[int, list[str]] = {}
    for _, d, text in passages:
        if text is not None:
            texts.setdefault(d, []).append(str(text))
    return {d: numbered_parts("\n".join(t)) for d, t in texts.items()}


def _idf(session: Any, scope: ReadScope, terms: Sequence[str]) -> dict[str, float]:
    """ln(1 + (N - df + 0.5) / (df + 0.5)) per term, N and df counted over the readable passages."""
    index = keyword_index(session)
    distinct = list(dict.fromkeys(terms))
    n = index.count(session, scope)
    dfs = index.counts(session, scope, [[t] for t in distinct])
    return {t: math.log(1.0 + (n - df + 0.5) / (df + 0.5)) for t, df in zip(distinct, dfs, strict=True)}


def _bm25(stats: Mapping[int, tuple[int, Counter[str]]], documents: Sequence[int], terms: Sequence[str],
          idf: Mapping[str, float], b: float) -> dict[int, float]:
    qf = Counter(terms)
    avg = sum(stats.get(d, (0, Counter()))[0] for d in documents) / max(len(documents), 1) or 1.0
    out: dict[int, float] = {}
    for d in documents:
        length, tf = stats.get(d, (0, Counter()))
        score = 0.0
        for term, repeats in qf.items():
            f = tf.get(term, 0)
            if f:
                score += repeats * idf.get(term, 0.0) * f * (K1 + 1) / (f + K1 * (1 - b + b * length / avg))
        out[d] = score
    return out


def document_features(keyword: Ranking, vector: Ranking, doc_of: Mapping[int, int],
                      stats: Mapping[int, tuple[int, Counter[str]]], terms: Sequence[str],
                      idf: Mapping[str, float], parts: Mapping[int, int] | None = None,
                      question_parts: int = 0) -> tuple[list[int], list[list[float]]]:
    """The candidate documents (keyword's first, then vector's) and each one's features (FEATURES);
    `parts`: each document's numbered parts, `question_parts`: the question's."""
    kw, vec = _by_document(keyword, doc_of), _by_document(vector, doc_of)
    docs = list(dict.fromkeys(list(kw.best) + list(vec.best)))
    bm, flat = _bm25(stats, docs, terms, idf, 0.75), _bm25(stats, docs, terms, idf, 0.4)
    kmax = max(kw.best.values(), default=0.0) or 1.0
    vmax = max(vec.best.values(), default=0.0)
    vmin = min((s for _, s in vector), default=0.0)
    bmax, fmax = max(bm.values(), default=0.0) or 1.0, max(flat.values(), default=0.0) or 1.0
    order = {d: i for i, d in enumerate(docs)}
    bm_rank = {d: i for i, d in enumerate(sorted(docs, key=lambda d: (-bm[d], order[d])), start=1)}
    rows = []
    for d in docs:
        ks = sorted(kw.scores.get(d, []), reverse=True) + [0.0, 0.0]
        vs = sorted(vec.scores.get(d, []), reverse=True) + [vmin, vmin]
        n, qn = (parts or {}).get(d, 0), question_parts  # numbered parts: the document's, the question's
        rows.append([
            ks[0] / kmax, (vs[0] - vmax) * 10, bm[d] / bmax, flat[d] / fmax,
            1 / (kw.rank.get(d, _ABSENT_RANK) + 10), 1 / (vec.rank.get(d, _ABSENT_RANK) + 10),
            1 / (bm_rank[d] + 10),
            math.log1p(len(kw.scores.get(d, []))), math.log1p(len(vec.scores.get(d, []))),
            ks[1] / kmax, (vs[1] - vmax) * 10,
            math.log(stats.get(d, (0, Counter()))[0] + 1),
            float(d in kw.best), float(d in vec.best),
            float(qn > 0 and n == qn), float(n > qn)])
    return docs, rows


def order_passages(fused: Ranking, doc_of: Mapping[int, int], documents: Sequence[int]) -> Ranking:
    """The fused passages in the documents' order: each document's best PASSAGES_FIRST passages (in
    fused order) before the next document, then the rest in the same order; scores fall with the rank."""
    rank = {d: i for i, d in enumerate(documents)}
    first: list[int] = []
    rest: list[int] = []
    seen: Counter[int] = Counter()
    for cid, _ in sorted(fused, key=lambda kv: rank.get(doc_of.get(kv[0], -1), len(rank))):
        d = doc_of.get(cid, -cid)
        seen[d] += 1
        (first if seen[d] <= PASSAGES_FIRST else rest).append(cid)
    ordered = first + rest
    return [(cid, 1.0 / (i + 1)) for i, cid in enumerate(ordered)]


def candidate_features(session: Any, scope: ReadScope, keyword: Ranking, vector: Ranking,
                       doc_of: Mapping[int, int], terms: Sequence[str], question: str = ""
                       ) -> tuple[list[int], list[list[float]]]:
    """The candidate documents of both rankings and their features, read in the searcher's scope."""
    candidates = list(dict.fromkeys(doc_of[c] for c, _ in [*keyword, *vector] if c in doc_of))
    passages = _passages(session, scope, candidates)
    stats = _document_terms(session, passages, terms)
    return document_features(keyword, vector, doc_of, stats, terms, _idf(session, scope, terms),
                             _document_parts(passages), numbered_parts(question))


def rank_documents(session: Any, scope: ReadScope, keyword: Ranking, vector: Ranking, fused: Ranking,
                   doc_of: Mapping[int, int], terms: Sequence[str], model: Model, question: str = ""
                   ) -> tuple[Ranking, dict[int, float]]:
    """`fused` re-ordered by the model's ranking of the candidates' documents (see the module doc),
    and each candidate document's probability of being the one that answers (a softmax over the
    candidates' scores, as the model was fitted)."""
    docs, rows = candidate_features(session, scope, keyword, vector, doc_of, terms, question)
    scores = {d: model.score(x) for d, x in zip(docs, rows, strict=True)}
    ordered = sorted(docs, key=lambda d: -scores[d])  # stable: ties keep the candidates' order
    top = max(scores.values(), default=0.0)
    weights = {d: math.exp(v - top) for d, v in scores.items()}
    total = sum(weights.values()) or 1.0
    return order_passages(fused, doc_of, ordered), {d: w / total for d, w in weights.items()}
