"""The keyword index behind one small interface (appliance.index.keyword_base), chosen by the
database's dialect: SQLite's FTS5 table `chunk_fts` (appliance.index.keywords_fts5), or on PostgreSQL
the postings tables of appliance.db.pg_keywords (appliance.index.keywords_pg). Both hold the same
analysed terms (appliance.index.text.analyze) and the same scope tokens (appliance.index.acl), and
both rank with FTS5's BM25 (k1 1.2, b 0.75, its IDF, the scope column weighted 0), so a query ranks
alike on either store. On both the permission filter is part of the ranking query: an unreadable
chunk is never scored or counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import text as sql

from appliance.index.acl import chunk_scope_texts
from appliance.index.keyword_base import KeywordIndex
from appliance.index.keywords_fts5 import Fts5Keywords
from appliance.index.keywords_pg import PostgresKeywords


def dialect_of(bind: Any) -> str:
    """'sqlite' or 'postgresql' for an Engine, a Connection or a Session."""
    if hasattr(bind, "get_bind"):
        bind = bind.get_bind()
    return str(bind.dialect.name)


def keyword_index(bind: Any) -> KeywordIndex:
    """The keyword index of the store behind `bind` (an Engine, a Connection or a Session)."""
    return PostgresKeywords() if dialect_of(bind) == "postgresql" else Fts5Keywords()


def refresh_document_scope(session: Any, document_ids: Iterable[int]) -> int:
    """Rewrite the keyword index's scope of the documents' chunks after their readers changed
    (appliance.access.readers, in the same transaction); returns rows."""
    ids = sorted({int(d) for d in document_ids})
    if not ids:
        return 0
    rows = [(int(c), int(k)) for c, k in session.execute(
        sql(f"SELECT id, collection_id FROM chunk WHERE document_id IN ({','.join(map(str, ids))})"))]
    texts = chunk_scope_texts(session, rows)
    keyword_index(session).set_scopes(session, texts)
    return len(texts)
