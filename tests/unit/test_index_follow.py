"""Several web nodes on one database: each node's own FAISS index follows the chunk change log."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import text as sql
from sqlmodel import select

from appliance.access import Principal
from appliance.context import Appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Chunk, Document, IndexChange
from appliance.documents.ingest import ensure_collection, ingest_file
from appliance.index.faiss_index import FaissIndex
from appliance.index.follow import IndexFollower, prune_change_log
from appliance.search import search
from models.fakes import FakeEmbedder

ADMIN = Principal(1, "beheerder", "admin")


class CountingEmbedder(FakeEmbedder):
    """The fake embedder, counting the passages it embedded (to prove no full rebuild happens)."""

    def __init__(self) -> None:
        super().__init__()
        self.passages = 0

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        self.passages += len(texts)
        return super().embed_passages(texts)


class Node:
    """A web node: the shared database, its own embedder, index folder and follower."""

    def __init__(self, settings, local: Path) -> None:  # type: ignore[no-untyped-def]
        self.embedder = CountingEmbedder()
        self.app = Appliance(settings, embedder=self.embedder)
        self.app.use_index(FaissIndex(local / "index", self.embedder))
        self.follower = IndexFollower(self.app, local / "index" / "follow.json")

    def step(self):  # type: ignore[no-untyped-def]
        return self.follower.step()

    def ids(self) -> set[int]:
        out: set[int] = set()
        with read_session(self.app.db) as s:
            colls = [c for c in s.exec(select(Chunk.collection_id).distinct())]
        for c in colls:
            out |= self.app.index.ids(c)
        return out


def _ingest(app: Appliance, folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")
    assert ingest_file(app, folder / name, "loket").ok


def _active_ids(app: Appliance) -> set[int]:
    with read_session(app.db) as s:
        q = select(Chunk.id).join(Document, Document.id == Chunk.document_id).where(
            Chunk.active == True, Document.state != "retired")
        return set(s.exec(q).all())


@pytest.fixture
def nodes(appliance: Appliance, tmp_path: Path):  # type: ignore[no-untyped-def]
    ensure_collection(appliance, "loket")
    return Node(appliance.settings, tmp_path / "node-a"), Node(appliance.settings, tmp_path / "node-b")


def test_ingest_on_one_node_is_found_on_the_other_after_its_step(nodes, tmp_path: Path) -> None:
    a, b = nodes
    assert b.step().repaired == "fresh"
    _ingest(a.app, tmp_path / "in", "parkeren.txt", "De bewonerskaart voor parkeren kost twintig euro per jaar.")
    assert not search(b.app, ADMIN, "bewonerskaart", mode="vector").hits  # not followed yet
    report = b.step()
    assert report.changes >= 1 and report.embedded == len(_active_ids(a.app)) and report.repaired == ""
    hits = search(b.app, ADMIN, "bewonerskaart parkeren", mode="vector").hits
    assert hits and "bewonerskaart" in hits[0].text
    assert b.ids() == _active_ids(a.app)
    # a second step, nothing changed: nothing read, nothing embedded
    again = b.step()
    assert (again.changes, again.embedded, again.removed) == (0, 0, 0)


def test_deactivated_and_deleted_chunks_leave_the_other_node(nodes, tmp_path: Path) -> None:
    a, b = nodes
    _ingest(a.app, tmp_path / "in", "zwembad.txt", "Het zwembad is open van acht tot twintig uur.")
    _ingest(a.app, tmp_path / "in", "afval.txt", "Het containerpark neemt grofvuil aan op zaterdag.")
    b.step()
    assert b.ids() == _active_ids(a.app) and len(b.ids()) >= 2
    with write_session(a.app.db) as s:  # a new version retires the old chunks (documents.steps does this)
        s.execute(sql("UPDATE chunk SET active = FALSE WHERE document_id = "
                      "(SELECT id FROM document WHERE source_path LIKE '%zwembad%')"))
    before = b.embedder.passages
    report = b.step()
    assert report.removed >= 1 and b.embedder.passages == before  # removing embeds nothing
    assert not search(b.app, ADMIN, "zwembad", mode="vector").hits or all(
        "zwembad" not in h.text for h in search(b.app, ADMIN, "zwembad", mode="vector").hits)
    with write_session(a.app.db) as s:  # the other document retired, then its chunks deleted
        s.execute(sql("UPDATE document SET state = 'retired' WHERE source_path LIKE '%afval%'"))
    b.step()
    assert b.ids() == _active_ids(a.app)
    with write_session(a.app.db) as s:
        s.execute(sql("UPDATE document SET state = 'ingested' WHERE source_path LIKE '%afval%'"))
    b.step()
    assert b.ids() == _active_ids(a.app) and b.ids()  # restored: back in the index
    with write_session(a.app.db) as s:
        s.execute(sql("DELETE FROM chunk"))
    b.step()
    assert b.ids() == set()


def test_a_late_node_catches_up_without_a_full_rebuild(nodes, tmp_path: Path) -> None:
    a, b = nodes
    for n in range(6):
        _ingest(a.app, tmp_path / "in", f"doc{n}.txt", f"Reglement nummer {n} over wegenwerken en parkeren {n}.")
    total = len(_active_ids(a.app))
    first = b.step()  # a node started late: repairs from the chunks once
    assert first.repaired == "fresh" and first.embedded == total and b.embedder.passages == total
    _ingest(a.app, tmp_path / "in", "nieuw.txt", "Een nieuw reglement over terrassen op het marktplein.")
    added = len(_active_ids(a.app)) - total
    b.step()
    assert b.embedder.passages == total + added  # only the new chunk was embedded, no rebuild
    # the node restarts (a new process, same index folder): it follows on from its saved position
    c = Node(a.app.settings, tmp_path / "node-b")
    _ingest(a.app, tmp_path / "in", "later.txt", "Later: de markt verhuist naar het stationsplein.")
    report = c.step()
    assert report.repaired == "" and c.embedder.passages == len(_active_ids(a.app)) - total - added
    assert c.ids() == _active_ids(a.app)


def test_holes_in_the_sequence_are_read_again_until_they_appear(nodes, tmp_path: Path) -> None:
    """PostgreSQL: a transaction that commits later than a newer one makes its change visible later."""
    a, b = nodes
    clock = [0.0]
    b.follower = IndexFollower(b.app, tmp_path / "node-b" / "index" / "follow.json", gap_seconds=60,
                               clock=lambda: clock[0])
    b.step()
    _ingest(a.app, tmp_path / "in", "een.txt", "Eerste reglement over de begraafplaats.")
    _ingest(a.app, tmp_path / "in", "twee.txt", "Tweede reglement over de speeltuin.")
    with write_session(a.app.db) as s:  # take the first document's changes out: as if not yet committed
        rows = s.exec(select(IndexChange).order_by(IndexChange.id)).all()
        held = [(r.id, r.chunk_id, r.collection_id) for r in rows[:1]]
        for r in rows[:1]:
            s.delete(r)
    report = b.step()
    assert report.gaps == 1 and held[0][1] not in b.ids()
    with write_session(a.app.db) as s:  # the late transaction commits
        s.add(IndexChange(id=held[0][0], chunk_id=held[0][1], collection_id=held[0][2]))
    report = b.step()
    assert report.gaps == 0 and held[0][1] in b.ids() and b.ids() == _active_ids(a.app)
    with write_session(a.app.db) as s:  # an id a rolled-back transaction used: given up after gap_seconds
        if a.app.db.dialect.name == "postgresql":
            s.execute(sql("SELECT nextval(pg_get_serial_sequence('index_change', 'id'))"))
        else:
            s.execute(sql("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'index_change'"))
    _ingest(a.app, tmp_path / "in", "drie.txt", "Derde reglement over de bibliotheek.")
    assert b.step().gaps >= 1
    clock[0] = 61.0
    assert b.step().gaps == 0


def test_another_embedder_or_a_pruned_log_repairs_from_the_chunks(nodes, tmp_path: Path) -> None:
    a, b = nodes
    b.step()
    _ingest(a.app, tmp_path / "in", "een.txt", "Reglement over de begraafplaats.")
    b.step()
    with write_session(a.app.db) as s:
        s.execute(sql("UPDATE index_change SET at = '2000-01-01 00:00:00'"))
    assert prune_change_log(a.app, days=30) >= 1
    b.step()  # nothing lost: the position was already past the pruned rows
    _ingest(a.app, tmp_path / "in", "twee.txt", "Reglement over de speeltuin.")
    with write_session(a.app.db) as s:
        s.execute(sql("UPDATE index_change SET at = '2000-01-01 00:00:00'"))
    prune_change_log(a.app, days=30)
    _ingest(a.app, tmp_path / "in", "drie.txt", "Reglement over de bibliotheek.")
    assert b.step().repaired == "pruned"
    assert b.ids() == _active_ids(a.app)
    (tmp_path / "node-b" / "index" / "manifest.json").write_text('{"embedder": "other"}', "utf-8")
    before = b.embedder.passages
    report = b.step()
    assert report.repaired == "manifest" and b.ids() == _active_ids(a.app)
    # the index is rebuilt from the vectors this embedder already stored: nothing is embedded again
    assert report.reused == len(_active_ids(a.app)) and report.embedded == 0 and b.embedder.passages == before


def test_vectors_of_a_followed_chunk_match_its_own_embedding(nodes, tmp_path: Path) -> None:
    a, b = nodes
    _ingest(a.app, tmp_path / "in", "een.txt", "Reglement over de begraafplaats.")
    b.step()
    with read_session(a.app.db) as s:
        coll = s.exec(select(Chunk.collection_id)).first()
    q = b.embedder.embed_queries(["begraafplaats"])[0]
    theirs, ours = a.app.index.search([coll], q, 1), b.app.index.search([coll], q, 1)
    assert ours and ours[0][0] == theirs[0][0] and np.isclose(ours[0][1], theirs[0][1])


def test_with_follow_index_the_worker_embeds_nothing_and_the_web_node_everything(tmp_path: Path) -> None:
    from appliance.context import open_appliance
    from tests.conftest import make_settings

    settings = make_settings(tmp_path, cluster={"follow_index": True})
    worker_embedder = CountingEmbedder()
    worker = open_appliance(settings, embedder=worker_embedder)
    ensure_collection(worker, "loket")
    _ingest(worker, tmp_path / "in", "een.txt", "Reglement over de begraafplaats en de speeltuin.")
    assert worker_embedder.passages == 0  # the ingest job left the vectors to the web nodes
    web = Node(settings, tmp_path / "web")
    web.step()
    assert web.embedder.passages == len(_active_ids(worker)) and web.ids() == _active_ids(worker)
    assert search(web.app, ADMIN, "begraafplaats", mode="vector").hits


def test_the_follow_loop_keeps_stepping_through_a_failing_step(nodes, tmp_path: Path) -> None:
    import time

    from appliance.index.follow import FollowLoop

    a, b = nodes
    real_step, calls = b.follower.step, []

    def flaky():  # type: ignore[no-untyped-def]
        calls.append(1)
        if len(calls) == 1:
            raise OSError("database restarting")
        return real_step()

    b.follower.step = flaky  # type: ignore[method-assign]
    loop = FollowLoop(b.follower, 0.05).start()
    try:
        _ingest(a.app, tmp_path / "in", "een.txt", "Reglement over de begraafplaats.")
        deadline = time.monotonic() + 10
        while b.ids() != _active_ids(a.app) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        loop.stop()
    assert len(calls) >= 2 and b.ids() == _active_ids(a.app) and loop.last is not None


def test_a_second_node_reuses_the_vectors_the_first_one_computed(nodes, tmp_path: Path) -> None:
    a, b = nodes
    for n in range(3):
        _ingest(a.app, tmp_path / "in", f"doc{n}.txt", f"Reglement {n} over markten en kermissen {n}.")
    total = len(_active_ids(a.app))
    first = Node(a.app.settings, tmp_path / "web1")
    assert first.step().embedded == total
    second = b.step()
    assert (second.embedded, second.reused) == (0, total) and b.embedder.passages == 0
    assert b.ids() == _active_ids(a.app) and search(b.app, ADMIN, "kermissen", mode="vector").hits
    with write_session(a.app.db) as s:  # erasing a document takes its shared vectors with it
        s.execute(sql("DELETE FROM chunk"))
        assert s.execute(sql("SELECT COUNT(*) FROM chunk_vector")).scalar_one() == 0
    unshared = IndexFollower(b.app, tmp_path / "web3" / "follow.json", share_vectors=False)
    _ingest(a.app, tmp_path / "in", "nieuw.txt", "Een nieuw reglement over de braderie.")
    unshared.step()
    with read_session(a.app.db) as s:
        assert s.execute(sql("SELECT COUNT(*) FROM chunk_vector")).scalar_one() == 0
