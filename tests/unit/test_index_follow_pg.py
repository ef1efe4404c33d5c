"""The change log's triggers and the follower on a real PostgreSQL server, where a transaction can
commit after a newer one: its change id then appears late, and the follower must still apply it."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine
from sqlmodel import Session, SQLModel, select

from appliance.db.change_log import install_change_log
from appliance.db.engine import write_session
from appliance.db.tables import Chunk, Collection, Document, DocumentVersion
from appliance.index.follow import IndexFollower
from appliance.index.memory_index import MemoryIndex
from models.fakes import FakeEmbedder
from tests.backends import fresh_postgres_database, needs_postgres

pytestmark = needs_postgres


@dataclass
class Host:
    db: Engine
    embedder: FakeEmbedder = field(default_factory=FakeEmbedder)
    index: MemoryIndex = field(init=False)

    def __post_init__(self) -> None:
        self.index = MemoryIndex(self.embedder)


@pytest.fixture
def pg() -> Engine:
    engine = create_engine(fresh_postgres_database())
    SQLModel.metadata.create_all(engine)  # the tables as migration 1 makes them
    install_change_log(engine)  # migration 67
    yield engine
    engine.dispose()


def _document(s: Session, coll: int, name: str) -> tuple[int, int]:
    doc = Document(collection_id=coll, source_path=name)
    s.add(doc)
    s.flush()
    version = DocumentVersion(document_id=doc.id, collection_id=coll, content_hash=name)  # type: ignore[arg-type]
    s.add(version)
    s.flush()
    return doc.id, version.id  # type: ignore[return-value]


def _chunk(s: Session, coll: int, doc: tuple[int, int], text: str) -> int:
    row = Chunk(version_id=doc[1], document_id=doc[0], collection_id=coll, text=text)
    s.add(row)
    s.flush()
    return row.id  # type: ignore[return-value]


def test_follower_on_postgresql_applies_a_change_that_commits_late(pg: Engine, tmp_path: Path) -> None:
    with write_session(pg) as s:
        coll = Collection(name="loket")
        s.add(coll)
        s.flush()
        cid = coll.id
        doc = _document(s, cid, "a.txt")  # type: ignore[arg-type]
    host = Host(pg)
    follower = IndexFollower(host, tmp_path / "follow.json")
    assert follower.step().repaired == "fresh"
    slow = Session(pg)  # a transaction that takes its change id first and commits last
    early = _chunk(slow, cid, doc, "trager reglement over de markt")  # type: ignore[arg-type]
    with write_session(pg) as s:
        late = _chunk(s, cid, doc, "sneller reglement over het zwembad")  # type: ignore[arg-type]
    report = follower.step()
    assert report.gaps == 1 and host.index.ids(cid) == {late}  # type: ignore[arg-type]
    slow.commit()
    slow.close()
    report = follower.step()
    assert report.gaps == 0 and host.index.ids(cid) == {early, late}  # type: ignore[arg-type]
    with write_session(pg) as s:
        row = s.get(Chunk, early)
        assert row is not None
        row.active = False
        s.add(row)
    follower.step()
    assert host.index.ids(cid) == {late}  # type: ignore[arg-type]
    with write_session(pg) as s:
        d = s.get(Document, doc[0])
        assert d is not None
        d.state = "retired"
        s.add(d)
    follower.step()
    assert host.index.ids(cid) == set()  # type: ignore[arg-type]
    with write_session(pg) as s:
        s.exec(select(Chunk))  # rolled back: the ids it took stay a hole for good
        _chunk(s, cid, doc, "nooit bewaard")  # type: ignore[arg-type]
        s.rollback()
    with write_session(pg) as s:
        d = s.get(Document, doc[0])
        assert d is not None
        d.state = "ingested"
        s.add(d)
    report = follower.step()
    assert host.index.ids(cid) == {late} and report.gaps == 1  # type: ignore[arg-type]
    other = Host(pg)  # a second web node: reads the vectors the first one stored (no embedding)
    report = IndexFollower(other, tmp_path / "other.json").step()
    assert report.repaired == "fresh" and (report.embedded, report.reused) == (0, 1)
    assert other.index.ids(cid) == {late}  # type: ignore[arg-type]
    from sqlalchemy import text

    from appliance.index.vector_cache import _store

    with pg.connect() as conn:
        before = conn.execute(text("SELECT vector FROM chunk_vector WHERE chunk_id = :c"), {"c": late}).scalar_one()
    _store(pg, other.embedder.id, [late], other.embedder.embed_passages(["iets anders"]))  # type: ignore[list-item]
    with pg.connect() as conn:  # two nodes storing the same chunk's vector: the first one's row is kept
        rows = conn.execute(text("SELECT vector FROM chunk_vector WHERE chunk_id = :c"), {"c": late}).all()
    assert [bytes(r[0]) for r in rows] == [bytes(before)]
