"""The keyword index on PostgreSQL: postings (term, chunk, tf) and per-chunk length and scope
(tables in appliance.db.pg_keywords), ranked by FTS5's BM25 computed in SQL.

FTS5's bm25() for one row: the sum over the query's phrases (a repeated term counts as often as it is
repeated) of IDF * f * (k1 + 1) / (f + k1 * (1 - b + b * D / avgdl)), with f the term's frequency
in the terms column (the scope column is weighted 0), D the row's tokens over both columns, avgdl
the table's tokens per row, IDF = ln((N - n + 0.5) / (n + 0.5)) floored at 1e-6, N the table's rows
and n the rows holding the term (whole table, unscoped, as in FTS5). The same figures are kept here,
so the scores match FTS5's to float rounding. The scope filter (appliance.index.acl.scope_condition)
is in the WHERE of the ranking query: an unreadable chunk is never joined into a score.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import text as sql

from appliance.db.pg_keywords import PG_KEYWORD_TABLES
from appliance.index.acl import ReadScope, scope_condition
from appliance.index.keyword_base import K1, B, KeywordRow

BATCH = 500

_RANK = f"""
WITH q AS MATERIALIZED (
    SELECT term, count(*) AS qf FROM unnest(CAST(:terms AS text[])) AS t(term) GROUP BY term
), st AS MATERIALIZED (
    SELECT chunks::float8 AS n, tokens::float8 / greatest(chunks, 1) AS avgdl FROM keyword_stats WHERE id = 1
), post AS MATERIALIZED (  -- the terms' postings, read once: for the document frequencies and the scores
    SELECT p.term, p.chunk_id, p.tf FROM keyword_posting p JOIN q ON p.term = q.term
), w AS MATERIALIZED (  -- the query's IDF weights (FTS5: floored at 1e-6), times the term's repeats
    SELECT q.term, q.qf * CASE WHEN d.x > 0 THEN d.x ELSE 1e-6 END AS idf
    FROM q CROSS JOIN st
    LEFT JOIN (SELECT term, count(*)::float8 AS df FROM post GROUP BY term) f ON f.term = q.term
    CROSS JOIN LATERAL (SELECT ln((st.n - coalesce(f.df, 0) + 0.5) / (coalesce(f.df, 0) + 0.5)) AS x) d
)
SELECT post.chunk_id, sum(w.idf * ((post.tf * {K1 + 1.0}::float8)
                          / (post.tf + {K1}::float8 * ({1.0 - B}::float8 + {B}::float8 * k.length / st.avgdl)))) AS score
FROM post JOIN w ON w.term = post.term
JOIN keyword_chunk k ON k.chunk_id = post.chunk_id
CROSS JOIN st
WHERE {{scope}}
GROUP BY post.chunk_id
ORDER BY score DESC, post.chunk_id
LIMIT :n
"""


def _scope_tokens(scope: str) -> list[str]:
    return scope.split()


class PostgresKeywords:
    """PostgreSQL: keyword_chunk, keyword_posting and keyword_stats."""

    def write(self, session: Any, rows: Sequence[KeywordRow], delete_ids: Sequence[int]) -> None:
        ids = [int(i) for i in delete_ids]
        for start in range(0, len(ids), BATCH * 10):
            part = {"ids": ids[start:start + BATCH * 10]}
            session.execute(sql("DELETE FROM keyword_posting WHERE chunk_id = ANY(CAST(:ids AS bigint[]))"), part)
            session.execute(sql("DELETE FROM keyword_chunk WHERE chunk_id = ANY(CAST(:ids AS bigint[]))"), part)
        for start in range(0, len(rows), BATCH):
            self._insert(session, rows[start:start + BATCH])

    def _insert(self, session: Any, rows: Sequence[KeywordRow]) -> None:
        chunk: dict[str, list[Any]] = {"id": [], "coll": [], "scope": [], "length": []}
        post: dict[str, list[Any]] = {"term": [], "id": [], "tf": []}
        for cid, coll, terms, scope in rows:
            words = terms.split()
            tokens = _scope_tokens(scope)
            chunk["id"].append(int(cid))
            chunk["coll"].append(int(coll))
            chunk["scope"].append("{" + ",".join(tokens) + "}")  # tokens are [a-z0-9]: no quoting needed
            chunk["length"].append(len(words) + len(tokens))
            for term, tf in Counter(words).items():
                post["term"].append(term)
                post["id"].append(int(cid))
                post["tf"].append(tf)
        session.execute(sql(
            "INSERT INTO keyword_chunk (chunk_id, collection_id, scope, length) "
            "SELECT i, c, CAST(s AS text[]), n FROM unnest(CAST(:id AS bigint[]), CAST(:coll AS bigint[]), "
            "CAST(:scope AS text[]), CAST(:length AS int[])) AS t(i, c, s, n)"), chunk)
        session.execute(sql(
            "INSERT INTO keyword_posting (term, chunk_id, tf) "
            "SELECT * FROM unnest(CAST(:term AS text[]), CAST(:id AS bigint[]), CAST(:tf AS int[]))"), post)

    def clear(self, session: Any) -> None:
        session.execute(sql(f"TRUNCATE {', '.join(PG_KEYWORD_TABLES)}"))
        session.execute(sql("UPDATE keyword_stats SET chunks = 0, tokens = 0"))

    def indexed_ids_sql(self) -> str:
        return "SELECT chunk_id AS id FROM keyword_chunk"

    def set_scopes(self, session: Any, scopes: dict[int, str]) -> None:
        items = sorted(scopes.items())
        for start in range(0, len(items), BATCH):
            part = items[start:start + BATCH]
            session.execute(sql(
                "UPDATE keyword_chunk k SET length = k.length - cardinality(k.scope) + cardinality(CAST(u.s AS text[])), "
                "scope = CAST(u.s AS text[]) FROM unnest(CAST(:ids AS bigint[]), CAST(:scopes AS text[])) AS u(i, s) "
                "WHERE k.chunk_id = u.i"),
                {"ids": [c for c, _ in part], "scopes": ["{" + ",".join(_scope_tokens(s)) + "}" for _, s in part]})

    def rank(self, session: Any, scope: ReadScope, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        if not terms or not scope.collections:
            return []
        rows = session.execute(sql(_RANK.replace("{scope}", scope_condition(scope, "k.scope"))),
                               {"terms": list(terms), "n": int(n)}).all()
        return [(int(r[0]), float(r[1])) for r in rows]

    def count(self, session: Any, scope: ReadScope, terms: Sequence[str] | None = None) -> int:
        if not scope.collections or (terms is not None and not terms):
            return 0
        where = scope_condition(scope, "k.scope")
        if terms is None:
            query, params = f"SELECT count(*) FROM keyword_chunk k WHERE {where}", {}
        else:
            # Driven by the terms' postings (as many rows as the terms' chunks), not by every readable chunk.
            query = ("SELECT count(*) FROM keyword_chunk k WHERE k.chunk_id IN (SELECT p.chunk_id FROM "
                     f"keyword_posting p WHERE p.term = ANY(CAST(:terms AS text[]))) AND {where}")
            params = {"terms": list(dict.fromkeys(terms))}
        return int(session.execute(sql(query), params).scalar_one() or 0)

    def counts(self, session: Any, scope: ReadScope, groups: Sequence[Sequence[str]]) -> list[int]:
        if not scope.collections or not groups:
            return [0] * len(groups)
        pairs = [(i, t) for i, terms in enumerate(groups) for t in dict.fromkeys(terms)]
        rows = session.execute(sql(
            "SELECT g.i, count(DISTINCT k.chunk_id) FROM unnest(CAST(:i AS int[]), CAST(:t AS text[])) AS g(i, term) "
            "JOIN keyword_posting p ON p.term = g.term JOIN keyword_chunk k ON k.chunk_id = p.chunk_id "
            f"WHERE {scope_condition(scope, 'k.scope')} GROUP BY g.i"),
            {"i": [i for i, _ in pairs], "t": [t for _, t in pairs]}).all()
        found = {int(i): int(n) for i, n in rows}
        return [found.get(i, 0) for i in range(len(groups))]

    def term_counts(self, session: Any, chunk_ids: Sequence[int], terms: Sequence[str]
                    ) -> dict[int, tuple[int, dict[str, int]]]:
        out: dict[int, tuple[int, dict[str, int]]] = {}
        ids = [int(i) for i in chunk_ids]
        wanted = sorted(set(terms))
        for start in range(0, len(ids), BATCH * 10):
            part = {"ids": ids[start:start + BATCH * 10], "terms": wanted}
            for cid, length, scope in session.execute(sql(
                    "SELECT chunk_id, length, cardinality(scope) FROM keyword_chunk "
                    "WHERE chunk_id = ANY(CAST(:ids AS bigint[]))"), part):
                out[int(cid)] = (int(length) - int(scope or 0), {})  # length counts the scope tokens too
            for cid, term, tf in session.execute(sql(
                    "SELECT chunk_id, term, tf FROM keyword_posting WHERE chunk_id = ANY(CAST(:ids AS bigint[])) "
                    "AND term = ANY(CAST(:terms AS text[]))"), part):
                if int(cid) in out:
                    out[int(cid)][1][str(term)] = int(tf)
        return out
