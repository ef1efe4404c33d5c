"""The keyword index behind one small interface, chosen by the database's dialect: SQLite's FTS5
table `chunk_fts`, or on PostgreSQL the postings tables of appliance.db.pg_keywords
(appliance.index.keywords_pg). Both hold the same analysed terms (appliance.index.text.analyze) and
the same scope tokens (appliance.index.acl), and both rank with FTS5's BM25 (k1 1.2, b 0.75, its IDF,
the scope column weighted 0), so a query ranks alike on either store. On both the permission filter
is part of the ranking query: an unreadable chunk is never scored or counted.

A row to index is (chunk id, collection id, analysed terms, scope text).
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any, Protocol

from sqlalchemy import text as sql

from appliance.index.acl import ReadScope, scope_match

KeywordRow = tuple[int, int, str, str]

K1, B = 1.2, 0.75  # FTS5's bm25() constants: the PostgreSQL back end uses the same


def _in(ids: Collection[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"  # ints only: safe to inline


def _quoted(terms: Sequence[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


class KeywordIndex(Protocol):
    """What search, the sync and the permission refresh need from a keyword index."""

    def write(self, session: Any, rows: Sequence[KeywordRow], delete_ids: Sequence[int]) -> None:
        """Delete `delete_ids`, then index `rows` (a row's id may be among the deleted: replaced)."""

    def clear(self, session: Any) -> None:
        """Empty the index (reindex)."""

    def indexed_ids_sql(self) -> str:
        """A SELECT of one column: the ids of the indexed chunks (for set comparisons in SQL)."""

    def set_scopes(self, session: Any, scopes: dict[int, str]) -> None:
        """Rewrite the scope text of indexed chunks (their document's readers changed)."""

    def rank(self, session: Any, scope: ReadScope, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        """(chunk id, BM25 score, higher is better) of the best `n` readable chunks matching any term;
        `terms` may repeat a term (its query frequency)."""

    def count(self, session: Any, scope: ReadScope, terms: Sequence[str] | None = None) -> int:
        """Readable chunks matching any of `terms` (every readable chunk when None)."""


class Fts5Keywords:
    """SQLite: the FTS5 virtual table chunk_fts(terms, scope, collection_id UNINDEXED)."""

    def write(self, session: Any, rows: Sequence[KeywordRow], delete_ids: Sequence[int]) -> None:
        ids = list(delete_ids)
        for start in range(0, len(ids), 500):
            session.execute(sql(f"DELETE FROM chunk_fts WHERE rowid IN ({_in(ids[start:start + 500])})"))
        if rows:
            session.execute(
                sql("INSERT INTO chunk_fts (rowid, terms, scope, collection_id) VALUES (:id, :terms, :scope, :cid)"),
                [{"id": r[0], "terms": r[2], "scope": r[3], "cid": r[1]} for r in rows])

    def clear(self, session: Any) -> None:
        session.execute(sql("DELETE FROM chunk_fts"))

    def indexed_ids_sql(self) -> str:
        return "SELECT rowid AS id FROM chunk_fts"

    def set_scopes(self, session: Any, scopes: dict[int, str]) -> None:
        for cid, text in scopes.items():
            session.execute(sql("UPDATE chunk_fts SET scope = :s WHERE rowid = :id"), {"s": text, "id": cid})

    def rank(self, session: Any, scope: ReadScope, terms: Sequence[str], n: int) -> list[tuple[int, float]]:
        if not terms or not scope.collections:
            return []
        rows = session.execute(
            sql("SELECT rowid, bm25(chunk_fts, 1.0, 0.0) AS score FROM chunk_fts "
                "WHERE chunk_fts MATCH :q ORDER BY score LIMIT :n"),
            {"q": f"terms : ({_quoted(terms)}) AND {scope_match(scope)}", "n": n}).all()
        return [(int(r[0]), -float(r[1])) for r in rows]  # bm25() is lower-is-better

    def count(self, session: Any, scope: ReadScope, terms: Sequence[str] | None = None) -> int:
        if not scope.collections or (terms is not None and not terms):
            return 0
        q = scope_match(scope) if terms is None else f"terms : ({_quoted(terms)}) AND {scope_match(scope)}"
        return int(session.execute(sql("SELECT count(*) FROM chunk_fts WHERE chunk_fts MATCH :q"),
                                   {"q": q}).scalar_one() or 0)


def dialect_of(bind: Any) -> str:
    """'sqlite' or 'postgresql' for an Engine, a Connection or a Session."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return str(bind.dialect.name)


def keyword_index(bind: Any) -> KeywordIndex:
    """The keyword index of the store behind `bind` (an Engine, a Connection or a Session)."""
    if dialect_of(bind) == "postgresql":
        from appliance.index.keywords_pg import PostgresKeywords

        return PostgresKeywords()
    return Fts5Keywords()
