"""Migration 67: the index change log's triggers, on SQLite and on PostgreSQL.

Triggers, not calls in the code that changes chunks: every writer (ingest, OCR, rechunk, removal,
retention, share crawls, evaluations) is covered, the row is written in the writer's own transaction
(it commits or rolls back with the change), and no writer has to remember it. Chunk text never
changes in place (a new text is a new chunk), so the columns that matter are `active` and
`collection_id`, the row's existence, and its document's `retired` state.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlmodel import SQLModel

SQLITE_DDL = (
    ("CREATE TRIGGER IF NOT EXISTS index_change_chunk_insert AFTER INSERT ON chunk BEGIN "
     "INSERT INTO index_change (chunk_id, collection_id) VALUES (NEW.id, NEW.collection_id); END"),
    ("CREATE TRIGGER IF NOT EXISTS index_change_chunk_update AFTER UPDATE OF active, collection_id ON chunk BEGIN "
     "INSERT INTO index_change (chunk_id, collection_id) VALUES (NEW.id, NEW.collection_id); "
     "INSERT INTO index_change (chunk_id, collection_id) SELECT OLD.id, OLD.collection_id "
     "WHERE OLD.collection_id != NEW.collection_id; END"),
    ("CREATE TRIGGER IF NOT EXISTS index_change_chunk_delete AFTER DELETE ON chunk BEGIN "
     "INSERT INTO index_change (chunk_id, collection_id) VALUES (OLD.id, OLD.collection_id); END"),
    ("CREATE TRIGGER IF NOT EXISTS index_change_document_state AFTER UPDATE OF state ON document "
     "WHEN (OLD.state = 'retired') != (NEW.state = 'retired') BEGIN "
     "INSERT INTO index_change (chunk_id, collection_id) SELECT id, collection_id FROM chunk "
     "WHERE document_id = NEW.id; END"),
)

POSTGRES_DDL = (
    """CREATE OR REPLACE FUNCTION belfort_index_change_chunk() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    INSERT INTO index_change (chunk_id, collection_id) VALUES (OLD.id, OLD.collection_id);
    RETURN OLD;
  END IF;
  INSERT INTO index_change (chunk_id, collection_id) VALUES (NEW.id, NEW.collection_id);
  IF TG_OP = 'UPDATE' AND OLD.collection_id IS DISTINCT FROM NEW.collection_id THEN
    INSERT INTO index_change (chunk_id, collection_id) VALUES (OLD.id, OLD.collection_id);
  END IF;
  RETURN NEW;
END $$""",
    """CREATE OR REPLACE FUNCTION belfort_index_change_document() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (OLD.state = 'retired') IS DISTINCT FROM (NEW.state = 'retired') THEN
    INSERT INTO index_change (chunk_id, collection_id) SELECT id, collection_id FROM chunk WHERE document_id = NEW.id;
  END IF;
  RETURN NEW;
END $$""",
    "DROP TRIGGER IF EXISTS index_change_chunk ON chunk",
    ("CREATE TRIGGER index_change_chunk AFTER INSERT OR DELETE OR UPDATE OF active, collection_id ON chunk "
     "FOR EACH ROW EXECUTE FUNCTION belfort_index_change_chunk()"),
    "DROP TRIGGER IF EXISTS index_change_document ON document",
    ("CREATE TRIGGER index_change_document AFTER UPDATE OF state ON document "
     "FOR EACH ROW EXECUTE FUNCTION belfort_index_change_document()"),
)


def install_change_log(engine: Engine) -> None:
    """Create `index_change` (if migration 1 did not) and the triggers that fill it."""
    SQLModel.metadata.create_all(engine)
    ddl = POSTGRES_DDL if engine.dialect.name == "postgresql" else SQLITE_DDL
    with engine.begin() as conn:
        for statement in ddl:
            conn.exec_driver_sql(statement)
