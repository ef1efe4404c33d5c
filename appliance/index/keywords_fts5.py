"""The keyword index on SQLite: the FTS5 virtual table chunk_fts(terms, scope, collection_id UNINDEXED),
ranked by FTS5's bm25() with the scope column weighted 0; the scope filter is part of the MATCH."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import text as sql

from appliance.index.acl import ReadScope, scope_match
from appliance.index.keyword_base import KeywordRow


def _in(ids: Collection[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"  # ints only: safe to inline


def _quoted(terms: Sequence[str]) -> str:
    return " OR ".join('"' + t.replace('"', '""') + '"' for t in terms)


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

    def counts(self, session: Any, scope: ReadScope, groups: Sequence[Sequence[str]]) -> list[int]:
        return [self.count(session, scope, terms) for terms in groups]

    def term_counts(self, session: Any, chunk_ids: Sequence[int], terms: Sequence[str]
                    ) -> dict[int, tuple[int, dict[str, int]]]:
        wanted = set(terms)
        out: dict[int, tuple[int, dict[str, int]]] = {}
        ids = list(chunk_ids)
        for start in range(0, len(ids), 500):
            for cid, text in session.execute(sql(
                    f"SELECT rowid, terms FROM chunk_fts WHERE rowid IN ({_in(ids[start:start + 500])})")):
                words = str(text or "").split()
                out[int(cid)] = (len(words), dict(Counter(w for w in words if w in wanted)))
        return out
