"""Document-level permissions as the keyword and vector indices see them.

A chunk's `chunk_fts.scope` holds 'c<collection>' when its document reads like its collection, and
'r<collection>' plus one token per allowed principal ('g<group>', 'u<user>') and per denied one
('ng<group>', 'nu<user>') when the document has its own readers. A search then filters inside the
MATCH: `c<readable collection>` OR (`r<readable collection>` AND one of the reader's principals),
NOT one of the reader's denied principals. So an unreadable passage is never scored, counted or
snippeted. The vector side gets the ids of the unreadable chunks of restricted documents in its
collections as a candidate filter (`hidden_chunk_ids`).

A ReadScope is built per request from the database (appliance.access.read_scope): group changes
take effect at the next search, never at the next sign-in.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text as sql

_KEY = re.compile(r"^(?:[gu][0-9]+|a0)$")  # a group, a user, or a0: everyone


@dataclass(frozen=True)
class ReadScope:
    """The collections a reader may open and, unless `readers` is None (admins and the system: every
    document of those collections), the principal keys that open documents with their own readers."""

    collections: tuple[int, ...]
    readers: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        for key in self.readers or ():
            if not _KEY.match(key):
                raise ValueError(f"not a principal key: {key!r}")

    def __bool__(self) -> bool:
        return bool(self.collections)

    def __iter__(self) -> Any:
        return iter(self.collections)


def _quoted(tokens: Iterable[str]) -> str:
    return " OR ".join(f'"{t}"' for t in tokens)


def _scope_logic(scope: ReadScope, any_of: Callable[[Iterable[str]], str], nothing: str, and_not: str) -> str:
    """What `scope` may read over a chunk's scope tokens, in the syntax `any_of` writes: a readable
    collection ('c'), or a restricted one ('r') and one of the reader's principals, never a denied one ('n')."""
    cols = [int(c) for c in scope.collections]
    if not cols:
        return nothing
    if scope.readers is None:
        return any_of([f"c{c}" for c in cols] + [f"r{c}" for c in cols])
    open_part = any_of(f"c{c}" for c in cols)
    if not scope.readers:
        return open_part
    restricted = f"({any_of(f'r{c}' for c in cols)} AND {any_of(scope.readers)})"
    return f"(({open_part} OR {restricted}) {and_not} {any_of('n' + k for k in scope.readers)})"


def scope_match(scope: ReadScope) -> str:
    """The FTS5 expression over the `scope` column for what `scope` may read ('' when nothing)."""
    return _scope_logic(scope, lambda tokens: f"scope : ({_quoted(tokens)})", "", "NOT")


def _array(tokens: Iterable[str]) -> str:
    return "ARRAY[" + ",".join(f"'{t}'" for t in tokens) + "]::text[]"  # validated tokens: safe to inline


def scope_condition(scope: ReadScope, column: str) -> str:
    """`scope_match` as a PostgreSQL condition on a text[] column of scope tokens (the keyword index
    there): the same tokens, the same logic. Ids and keys are validated, so inlining them is safe."""
    return _scope_logic(scope, lambda tokens: f"{column} && {_array(tokens)}", "FALSE", "AND NOT")


def scope_text(collection_id: int, entries: Sequence[tuple[str, bool]] | None) -> str:
    """What chunk_fts.scope holds for a chunk: entries None = no own readers."""
    if entries is None:
        return f"c{int(collection_id)}"
    tokens = [f"r{int(collection_id)}"] + [("n" + key if deny else key) for key, deny in entries if _KEY.match(key)]
    return " ".join(tokens)


def _in(ids: Iterable[int]) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def document_entries(session: Any, document_ids: Iterable[int]) -> dict[int, list[tuple[str, bool]]]:
    """(principal key, deny) of the restricted ones among `document_ids` (absent: reads like its collection)."""
    ids = sorted({int(d) for d in document_ids})
    out: dict[int, list[tuple[str, bool]]] = {}
    for start in range(0, len(ids), 500):
        part = _in(ids[start:start + 500])
        for (doc,) in session.execute(sql(f"SELECT document_id FROM documentacl WHERE document_id IN ({part})")):
            out[int(doc)] = []
        for doc, key, deny in session.execute(sql(
                f"SELECT document_id, principal, deny FROM documentreader WHERE document_id IN ({part}) "
                "ORDER BY principal, deny")):
            out.setdefault(int(doc), []).append((str(key), bool(deny)))
    # An attachment indexed before its own entries are written reads like its parent document.
    missing = [d for d in ids if d not in out]
    parents: dict[int, int] = {}
    for start in range(0, len(missing), 500):
        parents.update({int(d): int(p) for d, p in session.execute(sql(
            f"SELECT id, parent_id FROM document WHERE id IN ({_in(missing[start:start + 500])}) "
            "AND parent_id IS NOT NULL"))})
    if parents:
        inherited = document_entries(session, set(parents.values()))
        out.update({d: inherited[p] for d, p in parents.items() if p in inherited})
    return out


def chunk_scope_texts(session: Any, rows: Sequence[tuple[int, int]]) -> dict[int, str]:
    """chunk id -> scope text for (chunk id, collection id) rows."""
    docs: dict[int, int] = {}
    ids = [int(r[0]) for r in rows]
    for start in range(0, len(ids), 500):
        docs.update({int(c): int(d) for c, d in session.execute(
            sql(f"SELECT id, document_id FROM chunk WHERE id IN ({_in(ids[start:start + 500])})"))})
    entries = document_entries(session, set(docs.values()))
    return {int(cid): scope_text(coll, entries.get(docs.get(int(cid), -1))) for cid, coll in rows}


def readable_sql(scope: ReadScope, doc: str = "d.id") -> str:
    """A SQL condition: the document `doc` (a column expression) is readable under `scope`'s readers
    (the collection test is the caller's). Keys and ids are validated, so inlining them is safe."""
    if scope.readers is None:
        return "1 = 1"
    keys = ",".join(f"'{k}'" for k in scope.readers) or "NULL"
    return (f"(NOT EXISTS (SELECT 1 FROM documentacl a WHERE a.document_id = {doc}) OR "
            f"(EXISTS (SELECT 1 FROM documentreader r WHERE r.document_id = {doc} AND r.deny = FALSE "
            f"AND r.principal IN ({keys})) AND NOT EXISTS (SELECT 1 FROM documentreader r "
            f"WHERE r.document_id = {doc} AND r.deny = TRUE AND r.principal IN ({keys}))))")


def _column(session: Any, query: str) -> list[int]:
    """One integer column through the DB-API cursor: tens of thousands of ids without a Row object each."""
    cursor = session.connection().connection.cursor()
    try:
        cursor.execute(query)
        return [int(r[0]) for r in cursor.fetchall()]
    finally:
        cursor.close()


def hidden_documents(session: Any, scope: ReadScope) -> set[int]:
    """Documents with their own readers in the scope's collections that this reader may not open:
    restricted minus (allowed minus denied), three indexed set queries instead of a check per row."""
    if scope.readers is None or not scope.collections:
        return set()
    restricted = set(_column(session, "SELECT a.document_id FROM documentacl a JOIN document d ON d.id = "
                                      f"a.document_id WHERE d.collection_id IN ({_in(scope.collections)})"))
    if not restricted:
        return set()
    keys = ",".join(f"'{k}'" for k in scope.readers) or "NULL"
    allowed = set(_column(session, f"SELECT document_id FROM documentreader WHERE deny = FALSE AND principal IN ({keys})"))
    denied = set(_column(session, f"SELECT document_id FROM documentreader WHERE deny = TRUE AND principal IN ({keys})"))
    return restricted - (allowed - denied)


_HIDDEN_CACHE: dict[tuple[Any, ...], tuple[tuple[Any, ...], frozenset[int]]] = {}
_HIDDEN_CACHE_SIZE = 256


def _generation(session: Any) -> tuple[Any, ...]:
    """What the hidden set depends on besides the reader: every change of readers, ACLs or chunks
    moves one of these (read per request, so a change counts at the next search)."""
    row = session.execute(sql(
        "SELECT (SELECT count(*) FROM documentreader), (SELECT max(id) FROM documentreader), "
        "(SELECT count(*) FROM documentacl), (SELECT max(updated_at) FROM documentacl), "
        "(SELECT max(id) FROM chunk), (SELECT count(*) FROM chunk WHERE active = FALSE)")).one()
    return tuple(row)


def _active_unindexed(session: Any) -> str:
    """`active` without SQLite using its index (the document_id one is far more selective there)."""
    return "active" if session.get_bind().dialect.name == "postgresql" else "+active = 1"


def hidden_chunk_ids(session: Any, scope: ReadScope) -> frozenset[int]:
    """Active chunks of the documents in `hidden_documents`: the vector search's candidate filter.
    Memoised per reader and scope, checked against the database's current generation every call;
    a stale entry could only hide too much, never show too much (search re-checks every hit in SQL)."""
    if scope.readers is None or not scope.collections:
        return frozenset()
    key = (str(session.get_bind().url), scope.collections, scope.readers)
    generation = _generation(session)
    cached = _HIDDEN_CACHE.get(key)
    if cached is not None and cached[0] == generation:
        return cached[1]
    docs = sorted(hidden_documents(session, scope))
    out: set[int] = set()
    for start in range(0, len(docs), 5000):
        out.update(_column(session, f"SELECT id FROM chunk WHERE document_id IN ({_in(docs[start:start + 5000])}) "
                                    f"AND {_active_unindexed(session)}"))
    if len(_HIDDEN_CACHE) >= _HIDDEN_CACHE_SIZE:
        _HIDDEN_CACHE.pop(next(iter(_HIDDEN_CACHE)))
    _HIDDEN_CACHE[key] = (generation, frozenset(out))
    return _HIDDEN_CACHE[key][1]
