"""The keyword index's tables on PostgreSQL (the scale-out profile), created by migration 1 there in
place of SQLite's FTS5 table. Owned by the keyword search back end (appliance.index.keywords_pg).

The same analysed terms as FTS5's `chunk_fts.terms` (appliance.index.text.analyze), stored so that
BM25 is computed with FTS5's own formula and figures:
- `keyword_chunk`: one row per indexed chunk: its scope tokens (what `chunk_fts.scope` holds, as an
  array: the permission filter) and its length in tokens over both columns, as FTS5 counts it;
- `keyword_posting`: (term, chunk, term frequency); a term's document frequency is the count of its
  postings (an index-only range scan, as FTS5 walks a doclist);
- `keyword_stats`: the row count and total length (FTS5's N and average document length), kept by
  statement-level triggers on keyword_chunk so a search never counts the table.
"""

from __future__ import annotations

_STATS_FUNCTION = """
CREATE OR REPLACE FUNCTION keyword_stats_{name}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    UPDATE keyword_stats SET
        chunks = chunks {chunks},
        tokens = tokens {tokens};
    RETURN NULL;
END
$body$
"""

_STATS_TRIGGER = ("CREATE TRIGGER keyword_chunk_{name} AFTER {event} ON keyword_chunk "
                  "REFERENCING {tables} FOR EACH STATEMENT EXECUTE FUNCTION keyword_stats_{name}()")

_NEW_COUNT, _OLD_COUNT = "(SELECT count(*) FROM new_rows)", "(SELECT count(*) FROM old_rows)"
_NEW_LENGTH = "(SELECT coalesce(sum(length), 0) FROM new_rows)"
_OLD_LENGTH = "(SELECT coalesce(sum(length), 0) FROM old_rows)"

PG_KEYWORD_DDL: tuple[str, ...] = (
    # scope: 'c12' | 'r12' 'g3' 'u7' 'ng4' ... (appliance.index.acl.scope_text); length: the tokens of
    # terms + scope, FTS5's xColumnSize(-1)
    ("CREATE TABLE IF NOT EXISTS keyword_chunk (chunk_id BIGINT PRIMARY KEY, collection_id BIGINT NOT NULL, "
     "scope TEXT[] NOT NULL, length INTEGER NOT NULL)"),
    ('CREATE TABLE IF NOT EXISTS keyword_posting (term TEXT COLLATE "C" NOT NULL, chunk_id BIGINT NOT NULL, '
     "tf INTEGER NOT NULL, PRIMARY KEY (term, chunk_id) INCLUDE (tf))"),  # index-only scans
    "CREATE INDEX IF NOT EXISTS keyword_posting_chunk ON keyword_posting (chunk_id)",
    "CREATE INDEX IF NOT EXISTS keyword_chunk_collection ON keyword_chunk (collection_id)",
    ("CREATE TABLE IF NOT EXISTS keyword_stats (id INTEGER PRIMARY KEY CHECK (id = 1), chunks BIGINT NOT NULL, "
     "tokens BIGINT NOT NULL)"),
    "INSERT INTO keyword_stats (id, chunks, tokens) VALUES (1, 0, 0) ON CONFLICT (id) DO NOTHING",
    _STATS_FUNCTION.format(name="insert", chunks=f"+ {_NEW_COUNT}", tokens=f"+ {_NEW_LENGTH}"),
    _STATS_FUNCTION.format(name="delete", chunks=f"- {_OLD_COUNT}", tokens=f"- {_OLD_LENGTH}"),
    _STATS_FUNCTION.format(name="update", chunks="+ 0", tokens=f"+ {_NEW_LENGTH} - {_OLD_LENGTH}"),
    _STATS_TRIGGER.format(name="insert", event="INSERT", tables="NEW TABLE AS new_rows"),
    _STATS_TRIGGER.format(name="delete", event="DELETE", tables="OLD TABLE AS old_rows"),
    _STATS_TRIGGER.format(name="update", event="UPDATE", tables="OLD TABLE AS old_rows NEW TABLE AS new_rows"),
)

# What `reindex` empties (TRUNCATE fires no row triggers: the stats row is reset with it).
PG_KEYWORD_TABLES = ("keyword_posting", "keyword_chunk")
