"""The index change log: one row per chunk change, written by database triggers in the transaction of
the change, read by every web node that keeps its own FAISS index in step (appliance.index.follow)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime, ForeignKey, Integer, LargeBinary, String, func
from sqlmodel import Field, SQLModel

# SQLite: INTEGER PRIMARY KEY AUTOINCREMENT (ids never reused, even after pruning the newest rows);
# PostgreSQL: a bigint identity.
CHANGE_ID = BigInteger().with_variant(Integer(), "sqlite")


class IndexChange(SQLModel, table=True):
    """`chunk_id` changed (inserted, (de)activated, deleted, its document retired or restored) while it
    belonged to `collection_id`. Followers apply changes by looking at the chunk as it is now."""

    __tablename__ = "index_change"
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, sa_column=Column(CHANGE_ID, primary_key=True, autoincrement=True))
    chunk_id: int = Field(sa_column=Column(Integer, nullable=False))
    collection_id: int = Field(sa_column=Column(Integer, nullable=False))
    at: datetime | None = Field(default=None, sa_column=Column(DateTime, server_default=func.current_timestamp(),
                                                               index=True))


class ChunkVector(SQLModel, table=True):
    """A chunk's vector as one embedder made it, shared by the web nodes so that each passage is embedded
    once for the whole cluster; it goes with its chunk (erasure deletes the chunk, and so the vector)."""

    __tablename__ = "chunk_vector"

    chunk_id: int = Field(sa_column=Column(Integer, ForeignKey("chunk.id", ondelete="CASCADE"), primary_key=True))
    embedder: str = Field(sa_column=Column(String(200), primary_key=True))
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))  # float32, little-endian
