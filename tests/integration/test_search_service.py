"""Search end to end through a real appliance (SQLite + FTS5 + FAISS) with the fake embedder."""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance.access import read_scope
from appliance.access.principals import SYSTEM, Principal, principal_for
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session, write_session
from appliance.db.tables import (
    Chunk,
    Collection,
    CollectionGroup,
    Document,
    DocumentVersion,
    Group,
    User,
    UserGroup,
)
from appliance.errors import BelfortError
from appliance.index.faiss_index import FaissIndex
from appliance.index.keywords import keyword_index
from appliance.index.memory_index import MemoryIndex
from appliance.index.sync import ensure_index, index_chunks, reindex, unindex_chunks
from appliance.index.text import query_terms
from appliance.search.query import search
from models.base import ModelError


def add_doc(app: Appliance, collection: str, title: str, texts: list[str], language: str = "nl",
            groups: tuple[str, ...] = ()) -> list[int]:
    """Insert a collection (if new), a document, a version and its chunks; index them; return chunk ids."""
    with write_session(app.db) as s:
        col = s.exec(select(Collection).where(Collection.name == collection)).first()
        if col is None:
            col = Collection(name=collection, title=collection)
            s.add(col)
            s.flush()
            for g in groups:
                grp = s.exec(select(Group).where(Group.name == g)).first() or Group(name=g)
                s.add(grp)
                s.flush()
                s.add(CollectionGroup(collection_id=col.id, group_id=grp.id))
        doc = Document(collection_id=col.id, source_path=f"{title}.txt", title=title, language=language)
        s.add(doc)
        s.flush()
        ver = DocumentVersion(document_id=doc.id, collection_id=col.id, content_hash=f"h-{doc.id}")
        s.add(ver)
        s.flush()
        doc.current_version_id = ver.id
        chunks = [Chunk(version_id=ver.id, document_id=doc.id, collection_id=col.id, ordinal=i, text=t,
                        page=i + 1, char_start=0, char_end=len(t), language=language)
                  for i, t in enumerate(texts)]
        s.add_all(chunks)
        s.flush()
        ids = [c.id for c in chunks]
    index_chunks(app, ids)  # type: ignore[arg-type]
    return ids  # type: ignore[return-value]


def make_user(app: Appliance, username: str, groups: tuple[str, ...]) -> Principal:
    with write_session(app.db) as s:
        user = User(username=username, role="staff")
        s.add(user)
        s.flush()
        for g in groups:
            grp = s.exec(select(Group).where(Group.name == g)).first() or Group(name=g)
            s.add(grp)
            s.flush()
            s.add(UserGroup(user_id=user.id, group_id=grp.id))
        s.flush()
        return principal_for(s, user)


@pytest.fixture
def corpus(appliance: Appliance) -> Appliance:
    add_doc(appliance, "bouwen", "Parkeerreglement", [
        "De gemeenteraad keurt het reglement op de parkeervergunningen voor bewoners goed.",
        "Een bewonerskaart kost 25 euro per jaar en geldt voor één wagen.",
    ], groups=("ruimte",))
    add_doc(appliance, "bouwen", "Règlement", [
        "Le conseil communal approuve le règlement relatif aux permis de stationnement.",
    ], language="fr", groups=("ruimte",))
    add_doc(appliance, "personeel", "Ontslag", [
        "Vertrouwelijk: het ontslag van de diensthoofd wegens de parkeervergunning fraude.",
    ], groups=("hr",))
    return appliance


def test_keyword_search_finds_stemmed_and_folded_forms(corpus: Appliance) -> None:
    result = search(corpus, SYSTEM, "parkeervergunning", mode="keyword")
    assert result.mode == "keyword"
    titles = [h.title for h in result.hits]
    assert "Parkeerreglement" in titles
    hit = next(h for h in result.hits if h.title == "Parkeerreglement")
    assert "<mark>parkeervergunningen</mark>" in hit.snippet_html
    assert hit.page == 1 and hit.collection == "bouwen" and hit.char_end > hit.char_start
    # accent folding both ways: query without accents finds the accented French text
    fr = search(corpus, SYSTEM, "reglement stationnement", mode="keyword")
    assert fr.hits[0].title == "Règlement"
    assert "<mark>règlement</mark>" in fr.hits[0].snippet_html


def test_permission_filter_applies_before_ranking(corpus: Appliance) -> None:
    staff = make_user(corpus, "an", ("ruimte",))
    for mode in ("hybrid", "keyword", "vector"):
        result = search(corpus, staff, "parkeervergunning fraude ontslag diensthoofd", mode=mode)
        assert result.hits, mode
        assert all(h.collection == "bouwen" for h in result.hits), mode
        assert "Vertrouwelijk" not in " ".join(h.text + h.snippet_html for h in result.hits)
        assert result.total <= 3  # counts only readable passages
    nobody = make_user(corpus, "bert", ())
    empty = search(corpus, nobody, "parkeervergunning")
    assert empty.hits == [] and empty.total == 0
    # asking for an unreadable collection by name gives nothing, not an error that reveals it
    assert search(corpus, staff, "ontslag", collections=["personeel"]).hits == []
    admin_hits = search(corpus, SYSTEM, "ontslag diensthoofd", collections=["personeel"]).hits
    assert [h.title for h in admin_hits] == ["Ontslag"]


def test_hybrid_fuses_both_rankers(corpus: Appliance) -> None:
    result = search(corpus, SYSTEM, "bewonerskaart euro", limit=2)
    assert result.mode == "hybrid"
    assert result.hits[0].text.startswith("Een bewonerskaart")
    assert len(result.hits) <= 2


@pytest.mark.parametrize("query", ["", "   \n\t "])
def test_empty_query_is_refused(corpus: Appliance, query: str) -> None:
    with pytest.raises(BelfortError) as err:
        search(corpus, SYSTEM, query)
    assert err.value.code == "search.empty_query" and err.value.status == 400 and err.value.hint


def test_query_of_10000_characters_is_refused_with_a_hint(corpus: Appliance) -> None:
    with pytest.raises(BelfortError) as err:
        search(corpus, SYSTEM, "vergunning " * 910)
    assert err.value.code == "search.query_too_long" and err.value.hint


def test_long_query_within_limit_and_fts_syntax_are_safe(tmp_path, corpus: Appliance) -> None:
    from tests.conftest import make_settings

    roomy = open_appliance(make_settings(tmp_path, search={"embedder": "fake", "max_query_chars": 20000},
                                         store={"url": corpus.settings.store.url}),  # the corpus's database
                           embedder=corpus.embedder)
    long_query = ("parkeervergunning " + "NEAR( \"x* ^y AND OR NOT - : {a b} " * 300)[:10000]
    assert len(long_query) == 10000
    result = search(roomy, SYSTEM, long_query)
    assert any(h.title == "Parkeerreglement" for h in result.hits)


@pytest.mark.parametrize("query", ["Москва регламент", "東京都の駐車許可", "تصريح وقوف السيارات", "🙂🙂", "???", "\"", "*"])
def test_unexpected_scripts_and_symbols_never_crash(corpus: Appliance, query: str) -> None:
    result = search(corpus, SYSTEM, query)
    assert result.mode == "hybrid"
    assert all(h.collection in ("bouwen", "personeel") for h in result.hits)


def test_retired_and_inactive_chunks_disappear(corpus: Appliance) -> None:
    ids = add_doc(corpus, "bouwen", "Oud", ["Het zwembadreglement van 1990 is opgeheven."], groups=("ruimte",))
    assert search(corpus, SYSTEM, "zwembadreglement").hits
    with write_session(corpus.db) as s:
        s.get(Chunk, ids[0]).active = False  # type: ignore[union-attr]
    # even before unindexing, an inactive chunk never shows
    assert search(corpus, SYSTEM, "zwembadreglement", mode="keyword").hits == []
    unindex_chunks(corpus, ids)
    assert ids[0] not in corpus.index.ids(corpus_collection_id(corpus, "bouwen"))
    assert ids[0] not in [h.chunk_id for h in search(corpus, SYSTEM, "zwembadreglement", mode="vector").hits]


def corpus_collection_id(app: Appliance, name: str) -> int:
    with write_session(app.db) as s:
        return s.exec(select(Collection.id).where(Collection.name == name)).one()  # type: ignore[return-value]


def test_index_rebuilds_after_the_faiss_file_is_deleted(corpus: Appliance) -> None:
    cid = corpus_collection_id(corpus, "bouwen")
    assert isinstance(corpus.index, FaissIndex)  # FAISS is the default
    path = corpus.index.path_for(cid)
    assert path.is_file()
    path.unlink()
    fresh = open_appliance(corpus.settings, embedder=corpus.embedder)  # a restarted process
    report = ensure_index(fresh)
    assert cid in report["rebuilt"] and path.is_file()
    assert len(fresh.index.ids(cid)) == 3
    assert search(fresh, SYSTEM, "bewonerskaart", mode="vector").hits


def test_a_corrupt_faiss_file_is_rebuilt_from_sqlite(corpus: Appliance) -> None:
    cid = corpus_collection_id(corpus, "bouwen")
    assert isinstance(corpus.index, FaissIndex)
    corpus.index.path_for(cid).write_bytes(b"not a faiss index")
    fresh = open_appliance(corpus.settings, embedder=corpus.embedder)  # a restarted process
    report = ensure_index(fresh)
    assert report["vectors_added"] == 3 and len(fresh.index.ids(cid)) == 3
    assert search(fresh, SYSTEM, "bewonerskaart", mode="vector").hits


def test_manifest_mismatch_triggers_full_rebuild(corpus: Appliance) -> None:
    from models.fakes import FakeEmbedder

    other = open_appliance(corpus.settings, embedder=FakeEmbedder(dim=32))  # another embedder id and dim
    assert not other.index.manifest_matches()
    report = ensure_index(other)
    assert report["rebuilt"] == ["all"] and report["vectors"] == 4
    assert other.index.manifest_matches()
    assert search(other, SYSTEM, "bewonerskaart", mode="vector").hits[0].text.startswith("Een bewonerskaart")


def test_sync_and_vector_search_work_on_any_vector_index(appliance: Appliance) -> None:
    appliance.use_index(MemoryIndex(appliance.embedder))  # the in-memory fake at the seam
    ids = add_doc(appliance, "bouwen", "Parkeerreglement", [
        "De gemeenteraad keurt het reglement op de parkeervergunningen goed.",
        "Een bewonerskaart kost 25 euro per jaar en geldt voor één wagen.",
    ])
    cid = corpus_collection_id(appliance, "bouwen")
    assert appliance.index.ids(cid) == set(ids) and appliance.index.manifest_matches()
    assert search(appliance, SYSTEM, "bewonerskaart", mode="vector").hits[0].chunk_id == ids[1]
    assert not list(appliance.layout.index.glob("*.faiss"))  # nothing went through FAISS
    appliance.index.reset()
    report = ensure_index(appliance)
    assert report["rebuilt"] == ["all"] and appliance.index.ids(cid) == set(ids)
    unindex_chunks(appliance, [ids[0]])
    assert appliance.index.ids(cid) == {ids[1]}


def test_ensure_index_repairs_missing_fts_rows_and_vectors(corpus: Appliance) -> None:
    with write_session(corpus.db) as s:
        s.exec(select(Chunk)).all()
        keyword_index(s).clear(s)  # FTS5 or PostgreSQL's keyword tables
    assert search(corpus, SYSTEM, "bewonerskaart", mode="keyword").hits == []
    report = ensure_index(corpus)
    assert report["fts_added"] == 4
    assert search(corpus, SYSTEM, "bewonerskaart", mode="keyword").hits


def test_reindex_counts_everything(corpus: Appliance) -> None:
    result = reindex(corpus)
    assert result["chunks"] == 4 and result["fts"] == 4 and result["vectors"] == 4
    assert result["collections"] == 2 and result["embedder"] == corpus.embedder.id
    assert search(corpus, SYSTEM, "parkeervergunning").hits


class BrokenEmbedder:
    id = "broken"
    dim = 8

    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        raise ModelError("embedder.missing_weights", "gone", hint="provision it")

    embed_queries = embed_passages


def test_missing_embedder_degrades_to_keyword_search(settings) -> None:
    # search.embedder = fake in the test settings: point it at an engine that cannot load
    app = open_appliance(settings.model_copy(update={"search": settings.search.model_copy(
        update={"embedder": "e5", "embedder_model": "absent-model"})}))
    add_doc(app, "bouwen", "Parkeerreglement", ["De parkeervergunningen voor bewoners."])
    result = search(app, SYSTEM, "parkeervergunning")
    assert result.mode == "keyword" and result.hits
    broken = open_appliance(settings, embedder=BrokenEmbedder())  # type: ignore[arg-type]
    assert search(broken, SYSTEM, "parkeervergunning").mode == "keyword"
    assert search(broken, SYSTEM, "parkeervergunning", mode="vector").mode == "keyword"


@pytest.mark.sqlite_only  # WAL; PostgreSQL's readers never block a writer (tests/integration/test_store_postgres.py)
def test_reads_do_not_block_a_writer(corpus: Appliance) -> None:
    # An open read transaction (SQLite's WAL, PostgreSQL's MVCC) must not stop a writer from committing.
    with read_session(corpus.db) as reader:
        scope = read_scope(reader, SYSTEM)
        assert keyword_index(reader).count(reader, scope, query_terms("parkeervergunning"))  # the snapshot is taken
        add_doc(corpus, "bouwen", "Nieuw", ["Nieuwe tekst over fietsenstallingen."])
        assert keyword_index(reader).count(reader, scope, query_terms("parkeervergunning"))
    assert search(corpus, SYSTEM, "fietsenstalling").hits


def test_document_type_narrows_results(appliance, tmp_path) -> None:
    from appliance.access.principals import SYSTEM
    from appliance.documents.ingest import ensure_collection, ingest_file
    from appliance.search.query import search
    from tests.filefactory import make_text

    ensure_collection(appliance, "post")
    make_text(tmp_path / "brief.txt", "Geachte heer,\nBetreft: de parkeerkaart voor de Molenstraat.\n"
              "Met vriendelijke groeten,\nde dienst mobiliteit")
    make_text(tmp_path / "factuur.txt", "FACTUUR\nFactuurnummer: F-1\nParkeerkaart Molenstraat\n"
              "Totaal te betalen: 20 EUR, btw inbegrepen. Vervaldatum: 01/02/2025")
    ingest_file(appliance, tmp_path / "brief.txt", "post")
    ingest_file(appliance, tmp_path / "factuur.txt", "post")
    both = search(appliance, SYSTEM, "parkeerkaart Molenstraat", mode="keyword")
    assert {h.source_path for h in both.hits} == {"brief.txt", "factuur.txt"}
    invoices = search(appliance, SYSTEM, "parkeerkaart Molenstraat", mode="keyword", doc_type="factuur")
    assert [h.source_path for h in invoices.hits] == ["factuur.txt"] and invoices.total == 1
