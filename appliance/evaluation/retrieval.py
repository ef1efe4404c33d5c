"""Retrieval evaluation: questions against their own answers, Belfort's search next to plain BM25.

Rows carry `question` and `answer` (the format of dekamer_dev.jsonl). Every answer becomes one
document in a fresh temporary appliance (all answers are indexed, even with a row limit); each
question is asked and the rank of its own answer among the returned documents (hits deduplicated
by document) gives Recall@1/5/10 and MRR@10. Two baselines, both plain bm25s over the product's
analysed tokens (`index.text.analyze`: folded, stopwords out, Dutch stems): `bm25` over the product's
chunks, a document ranked by its best chunk, and `bm25_doc` over whole answers (the strongest simple
baseline on these long answers).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from appliance.access import SYSTEM, Principal
from appliance.context import open_appliance
from appliance.db.engine import write_session
from appliance.db.tables import Chunk, Collection, CollectionGroup, Document, DocumentVersion, Group
from appliance.evaluation.embed_cache import CachedEmbedder
from appliance.index.sync import index_chunks
from appliance.index.text import analyze
from appliance.search import search
from appliance.settings import Settings, build_settings
from ingest.chunk import chunk_pages
from ingest.types import Page

if TYPE_CHECKING:
    from appliance.context import Appliance
    from models.base import Embedder

KS = (1, 5, 10)
Log = Callable[[str], None]


def load_rows(path: Path, limit: int | None = None) -> tuple[list[dict[str, Any]], list[int]]:
    """All rows with an answer, and the indices of the rows whose questions are asked."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            if (row.get("answer") or "").strip() and (row.get("question") or "").strip():
                rows.append(row)
    asked = list(range(len(rows) if limit is None else min(limit, len(rows))))
    return rows, asked


def same_question(rows: Sequence[dict[str, Any]]) -> list[list[int]]:
    """For each row, the other rows that ask the very same question (case and white space aside): the
    same written question sent to two ministers, each with an answer of their own. Either answer
    answers it, so its "right document is absent" test removes them all."""
    key = [" ".join(str(r["question"]).split()).casefold() for r in rows]
    by_key: dict[str, list[int]] = {}
    for i, k in enumerate(key):
        by_key.setdefault(k, []).append(i)
    return [[j for j in by_key[k] if j != i] for i, k in enumerate(key)]


def chunk_answer(text: str, size: int, overlap: int) -> list[tuple[str, int, int, str]]:
    """(text, char_start, char_end, language) pieces, cut by the product's chunker."""
    return [(d.text, d.char_start, d.char_end, d.language)
            for d in chunk_pages([Page(number=1, text=text)], size=size, overlap=overlap)]

def metrics(ranks: Sequence[int | None]) -> dict[str, float]:
    """Recall@k and MRR@10 from the 1-based rank of the right document (None: not in the top 10)."""
    n = len(ranks) or 1
    out = {f"recall@{k}": round(sum(1 for r in ranks if r is not None and r <= k) / n, 4) for k in KS}
    out["mrr@10"] = round(sum(1.0 / r for r in ranks if r is not None and r <= 10) / n, 4)
    return out


def _rank(doc_ids: Sequence[int], wanted: int) -> int | None:
    for i, d in enumerate(doc_ids[:10], start=1):
        if d == wanted:
            return i
    return None


def _plain_tokens(text: str) -> list[str]:
    """The product's analysis (folded, stopwords out, Dutch stems), so the baselines differ from Belfort
    in ranking only; plain lowercase whitespace tokens make a much weaker baseline."""
    return analyze(text).split()


def bm25_doc_ranks(rows: list[dict[str, Any]], asked: list[int]) -> list[int | None]:
    """Plain BM25 (bm25s) over whole answers: the strongest simple baseline on long answers."""
    import bm25s

    retriever = bm25s.BM25()
    retriever.index([_plain_tokens(r["answer"]) for r in rows], show_progress=False)
    queries = [_plain_tokens(rows[i]["question"]) for i in asked]
    docs, _ = retriever.retrieve(queries, k=min(10, len(rows)), show_progress=False)
    return [_rank([int(d) for d in docs[j]], i) for j, i in enumerate(asked)]


def bm25_chunk_ranks(rows: list[dict[str, Any]], asked: list[int], size: int, overlap: int) -> list[int | None]:
    """Plain BM25 (bm25s) over the product's chunks; a document ranks by its best chunk."""
    import bm25s

    row_of_chunk: list[int] = []
    corpus: list[list[str]] = []
    for i, row in enumerate(rows):
        for text, *_ in chunk_answer(row["answer"], size, overlap):
            row_of_chunk.append(i)
            corpus.append(_plain_tokens(text))
    retriever = bm25s.BM25()
    retriever.index(corpus, show_progress=False)
    queries = [_plain_tokens(rows[i]["question"]) for i in asked]
    # Enough chunks that ten distinct documents are almost always among them.
    found, _ = retriever.retrieve(queries, k=min(100, len(corpus)), show_progress=False)
    ranks = []
    for j, i in enumerate(asked):
        docs = list(dict.fromkeys(row_of_chunk[int(c)] for c in found[j]))
        ranks.append(_rank(docs, i))
    return ranks


def build_corpus(app: Appliance, rows: list[dict[str, Any]], log: Log) -> tuple[list[int], Principal, int]:
    """One document per answer in collection 'eval', readable by group 'eval'; returns the document
    id of each row, a staff principal of that group and the number of chunks indexed."""
    ing = app.settings.ingest
    doc_of_row: list[int] = []
    chunk_ids: list[int] = []
    with write_session(app.db) as s:
        col = Collection(name="eval", title="eval", route_department="Eval desk",
                         route_mailbox="eval@example.invalid")
        group = Group(name="eval")
        s.add(col)
        s.add(group)
        s.flush()
        s.add(CollectionGroup(collection_id=col.id, group_id=group.id))  # type: ignore[arg-type]
        for i, row in enumerate(rows):
            doc = Document(collection_id=col.id, source_path=f"{i:05d}-{row.get('doc_id', '')}.txt",  # type: ignore[arg-type]
                           title=f"answer {row.get('doc_id', i)}", kind="text")
            s.add(doc)
            s.flush()
            ver = DocumentVersion(document_id=doc.id, collection_id=col.id,  # type: ignore[arg-type]
                                  content_hash=f"eval-{i}")
            s.add(ver)
            s.flush()
            doc.current_version_id = ver.id
            chunks = [Chunk(version_id=ver.id, document_id=doc.id, collection_id=col.id, ordinal=n,  # type: ignore[arg-type]
                            text=t, page=1, char_start=a, char_end=b, language=lang)
                      for n, (t, a, b, lang) in enumerate(chunk_answer(row["answer"], ing.chunk_chars,
                                                                       ing.chunk_overlap))]
            s.add_all(chunks)
            s.flush()
            chunk_ids += [c.id for c in chunks]  # type: ignore[misc]
            doc_of_row.append(doc.id)  # type: ignore[arg-type]
        group_id = group.id
    started = time.monotonic()
    for i in range(0, len(chunk_ids), 256):
        index_chunks(app, chunk_ids[i : i + 256])
        log(f"indexed {min(i + 256, len(chunk_ids))}/{len(chunk_ids)} chunks ({time.monotonic() - started:.0f} s)")
    who = Principal(user_id=None, username="eval", role="staff", group_ids=frozenset({int(group_id or 0)}))
    return doc_of_row, who, len(chunk_ids)


def eval_settings(base: Settings, data_dir: Path) -> Settings:
    """A fresh appliance on the caller's models; questions are long, so the query limit is lifted. Its
    store is a SQLite file in `data_dir`, never the caller's PostgreSQL database (store.url)."""
    layer = base.model_dump(mode="json")
    layer["data_dir"] = str(data_dir)
    layer["store"]["url"] = ""
    layer["search"]["max_query_chars"] = 100_000
    return build_settings([layer])


def belfort_ranks(settings: Settings, rows: list[dict[str, Any]], asked: list[int],
                  embedder: Embedder | None, log: Log) -> tuple[list[int | None], dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="belfort-eval-") as tmp:
        app = open_appliance(eval_settings(settings, Path(tmp)), embedder=embedder)
        started = time.monotonic()
        doc_of_row, _, n_chunks = build_corpus(app, rows, log)
        index_s = time.monotonic() - started
        started = time.monotonic()
        ranks: list[int | None] = []
        modes: set[str] = set()
        for j, i in enumerate(asked):
            result = search(app, SYSTEM, rows[i]["question"], limit=50)
            modes.add(result.mode)
            docs = list(dict.fromkeys(h.document_id for h in result.hits))
            ranks.append(_rank(docs, doc_of_row[i]))
            if (j + 1) % 100 == 0:
                log(f"asked {j + 1}/{len(asked)} ({time.monotonic() - started:.0f} s)")
        info = {"chunks": n_chunks, "index_seconds": round(index_s, 1),
                "query_seconds": round(time.monotonic() - started, 1), "modes": sorted(modes)}
        return ranks, info


def run_retrieval_eval(path: Path, settings: Settings, *, limit: int | None = None,
                       embedder: Embedder | None = None, log: Log | None = None,
                       cache_dir: Path | None = None) -> dict[str, Any]:
    """{"bm25": {...}, "bm25_doc": {...}, "belfort": {...}, "n": N}; `info` (timings, chunk count)
    goes to `log`."""
    say: Log = log or (lambda msg: print(msg, file=sys.stderr, flush=True))
    rows, asked = load_rows(path, limit)
    if not asked:
        return {"bm25": metrics([]), "bm25_doc": metrics([]), "belfort": metrics([]), "n": 0}
    ing = settings.ingest
    baselines = {"bm25": metrics(bm25_chunk_ranks(rows, asked, ing.chunk_chars, ing.chunk_overlap)),
                 "bm25_doc": metrics(bm25_doc_ranks(rows, asked))}
    if embedder is not None and cache_dir is not None:
        embedder = CachedEmbedder(embedder, cache_dir, flush_every=256)
    try:
        ranks, info = belfort_ranks(settings, rows, asked, embedder, say)
    finally:
        if isinstance(embedder, CachedEmbedder):
            embedder.flush()
    say("info: " + json.dumps(info))
    return {**baselines, "belfort": metrics(ranks), "n": len(asked)}
