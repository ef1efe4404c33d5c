"""Files end to end through a real appliance: store, versions, failed folder, retry, permissions."""

from __future__ import annotations

import hashlib
import json
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import text as sql
from sqlmodel import select

from appliance.access.principals import SYSTEM, Principal
from appliance.context import Appliance
from appliance.db.engine import read_session
from appliance.db.tables import AuditEvent, Chunk, Document, DocumentVersion, FailedFile, Group
from appliance.documents.ingest import ensure_collection, ingest_file, list_failed, retry_failed
from appliance.documents.reads import document_pages, get_document, list_documents, original_file
from appliance.errors import BelfortError, NotFound
from appliance.index.keywords import keyword_index
from models.fakes import FakeEmbedder

NOTE = (
    "De gemeenteraad van Belfort besliste op 12 maart over de heraanleg van het Marktplein. "
    "Het college legt het ontwerp voor aan de bewoners tijdens een infovergadering in de raadzaal. "
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def counts(app: Appliance) -> dict[str, int]:
    with read_session(app.db) as s:
        one = lambda q: int(s.execute(sql(q)).scalar_one())
        return {
            "documents": one("SELECT COUNT(*) FROM document"),
            "versions": one("SELECT COUNT(*) FROM documentversion"),
            "chunks": one("SELECT COUNT(*) FROM chunk"),
            "active": one("SELECT COUNT(*) FROM chunk WHERE active = TRUE"),
            "fts": one(f"SELECT COUNT(*) FROM ({keyword_index(s).indexed_ids_sql()}) AS i"),
            "failed": one("SELECT COUNT(*) FROM failedfile WHERE resolved = FALSE"),
        }


def test_ingest_stores_original_then_rows_then_index(appliance: Appliance, tmp_path: Path) -> None:
    src = write(tmp_path / "in" / "raad.txt", NOTE * 20)
    out = ingest_file(appliance, src, "raad", keep_source=False)
    assert out.state == "ingested" and out.document_id and out.version_id
    assert not src.exists()  # the drop-folder file goes only after it is stored
    digest = hashlib.sha256((NOTE * 20).encode()).hexdigest()
    stored = appliance.layout.originals / digest[:2] / digest
    assert stored.read_bytes() == (NOTE * 20).encode()
    c = counts(appliance)
    assert c["documents"] == 1 and c["versions"] == 1 and c["chunks"] > 1 and c["fts"] == c["active"] == c["chunks"]
    doc = get_document(appliance, SYSTEM, out.document_id)
    assert doc.collection == "raad" and doc.state == "ingested" and doc.language == "nl"
    assert doc.versions[0].content_hash == digest and doc.versions[0].chunker_version
    pages = document_pages(appliance, SYSTEM, out.document_id)
    assert pages[0][0] == 1 and pages[0][1].strip() == (NOTE * 20).strip()
    with read_session(appliance.db) as s:
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "document.ingested")).all()
    assert len(events) == 1 and "raad.txt" not in json.dumps(events[0].detail)  # no names in the audit log


def test_same_file_twice_is_a_duplicate_with_no_new_rows(appliance: Appliance, tmp_path: Path) -> None:
    a = write(tmp_path / "a.txt", NOTE)
    first = ingest_file(appliance, a, "raad")
    before = counts(appliance)
    again = ingest_file(appliance, a, "raad")
    renamed = ingest_file(appliance, write(tmp_path / "copy of a.txt", NOTE), "raad", keep_source=False)
    assert again.state == renamed.state == "duplicate"
    assert again.document_id == renamed.document_id == first.document_id
    assert counts(appliance) == before
    assert a.exists() and not (tmp_path / "copy of a.txt").exists()  # a duplicate in the drop folder goes
    # The same bytes in another collection are that collection's own document.
    assert ingest_file(appliance, a, "other").state == "ingested"


def test_same_name_new_content_is_a_new_version_with_history(appliance: Appliance, tmp_path: Path) -> None:
    v1 = ingest_file(appliance, write(tmp_path / "besluit.txt", NOTE), "raad")
    old = counts(appliance)
    v2 = ingest_file(appliance, write(tmp_path / "besluit.txt", NOTE + " Aangepast na bezwaar van de buurt."), "raad")
    assert v2.state == "new_version" and v2.document_id == v1.document_id and v2.version_id != v1.version_id
    c = counts(appliance)
    assert c["documents"] == 1 and c["versions"] == 2
    assert c["chunks"] == old["chunks"] * 2 or c["chunks"] > old["chunks"]
    assert c["fts"] == c["active"] < c["chunks"]  # old chunks retired and out of the index, rows kept
    with read_session(appliance.db) as s:
        old_chunks = s.exec(select(Chunk).where(Chunk.version_id == v1.version_id)).all()
        assert old_chunks and not any(ch.active for ch in old_chunks)
        versions = s.exec(select(DocumentVersion).order_by(DocumentVersion.number)).all()
    assert [v.number for v in versions] == [1, 2] and versions[0].retired_at and not versions[1].retired_at
    assert "Aangepast" in document_pages(appliance, SYSTEM, v1.document_id)[0][1]
    assert "Aangepast" not in document_pages(appliance, SYSTEM, v1.document_id, v1.version_id)[0][1]
    assert original_file(appliance, SYSTEM, v1.document_id, v1.version_id)[0].read_text() == NOTE


def _failed_reason(app: Appliance, failed_id: int) -> tuple[FailedFile, dict]:
    with read_session(app.db) as s:
        row = s.get(FailedFile, failed_id)
    assert row is not None
    path = Path(row.failed_path)
    return row, json.loads(path.with_name(path.name + ".reason.json").read_text("utf-8"))


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [
        ("leeg.txt", b"", "ingest.empty"),
        ("kapot.pdf", b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage \x00\x01\x02", "ingest.corrupt"),
        ("programma.exe", b"MZ\x90\x00" + bytes(range(256)) * 4, "ingest.unsupported_type"),
        ("archief.zip", b"PK\x03\x04" + b"\x00" * 200, "ingest.unsupported_type"),
    ],
)
def test_bad_files_move_to_failed_with_a_reason(appliance: Appliance, tmp_path: Path, name: str,
                                                 content: bytes, code: str) -> None:
    src = tmp_path / "inbox" / name
    src.parent.mkdir()
    src.write_bytes(content)
    out = ingest_file(appliance, src, "raad", keep_source=False)
    assert out.state == "failed" and out.code == code and out.message and out.hint and out.failed_id
    assert not src.exists()
    row, reason = _failed_reason(appliance, out.failed_id)
    assert Path(row.failed_path).parent == appliance.layout.failed / "raad"
    assert Path(row.failed_path).read_bytes() == content  # nothing lost
    assert reason["code"] == code and reason["collection"] == "raad" and reason["original_name"] == name
    assert reason["message"] and reason["hint"] and reason["at"]
    assert counts(appliance)["documents"] == 0


def test_failed_names_never_overwrite(appliance: Appliance, tmp_path: Path) -> None:
    ids = []
    for n in range(3):
        src = tmp_path / "leeg.txt"
        src.touch()
        ids.append(ingest_file(appliance, src, "raad", keep_source=False).failed_id)
    names = sorted(Path(r.failed_path).name for r in list_failed(appliance))
    assert names == ["leeg (1).txt", "leeg (2).txt", "leeg.txt"] and len(set(ids)) == 3


def test_retry_a_fixed_failed_file(appliance: Appliance, tmp_path: Path) -> None:
    src = write(tmp_path / "notulen.txt", "")
    out = ingest_file(appliance, src, "raad", keep_source=False)
    row, _ = _failed_reason(appliance, out.failed_id)  # type: ignore[arg-type]
    # Retrying unchanged fails again: same row, same file, reason updated.
    again = retry_failed(appliance, row.id)  # type: ignore[arg-type]
    assert again.state == "failed" and again.failed_id == row.id and Path(row.failed_path).exists()
    assert len(list_failed(appliance)) == 1
    # Someone fixes the file in the failed folder; the retry ingests it and clears it from the list.
    Path(row.failed_path).write_text(NOTE, encoding="utf-8")
    fixed = retry_failed(appliance, row.id)  # type: ignore[arg-type]
    assert fixed.state == "ingested"
    assert not Path(row.failed_path).exists() and not Path(row.failed_path + ".reason.json").exists()
    assert list_failed(appliance) == []
    assert get_document(appliance, SYSTEM, fixed.document_id).source_path == "notulen.txt"  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        retry_failed(appliance, row.id)  # type: ignore[arg-type]


def test_too_large_sparse_file_is_refused_unread(appliance: Appliance, tmp_path: Path) -> None:
    big = tmp_path / "inbox" / "groot.pdf"
    big.parent.mkdir()
    with open(big, "wb") as fh:
        fh.truncate(300 * 1024 * 1024)
    kept = ingest_file(appliance, big, "raad", keep_source=True)
    assert kept.state == "failed" and kept.code == "ingest.too_large" and big.exists()
    assert not list((appliance.settings.data_dir / "staging").glob("*/*"))  # never copied
    moved = ingest_file(appliance, big, "raad", keep_source=False)
    assert moved.code == "ingest.too_large" and not big.exists()
    row, reason = _failed_reason(appliance, moved.failed_id)  # type: ignore[arg-type]
    assert Path(row.failed_path).stat().st_size == 300 * 1024 * 1024 and reason["code"] == "ingest.too_large"


@pytest.mark.parametrize("name", ["Verslag raad  ·  maart 2026 (def).txt", "café–crème ✓ notulen.txt",
                                  "συνεδρίαση.txt", "議事録.txt", "../../../escape.txt", "sub/../../x.txt"])
def test_unusual_names(appliance: Appliance, tmp_path: Path, name: str) -> None:
    src = write(tmp_path / "f.txt", NOTE + name)
    out = ingest_file(appliance, src, "raad", source_name=name)
    assert out.state == "ingested"
    doc = get_document(appliance, SYSTEM, out.document_id)  # type: ignore[arg-type]
    assert ".." not in doc.source_path.split("/") and not doc.source_path.startswith("/")
    path, download, _ = original_file(appliance, SYSTEM, out.document_id)  # type: ignore[arg-type]
    assert path.resolve().is_relative_to(appliance.layout.originals.resolve())
    assert "/" not in download and download.endswith(".txt")
    # The same name failing lands inside failed/<collection>/, never outside it.
    bad = tmp_path / "bad"
    bad.touch()
    failed = ingest_file(appliance, bad, "raad", source_name=name, keep_source=False)
    row, _ = _failed_reason(appliance, failed.failed_id)  # type: ignore[arg-type]
    assert Path(row.failed_path).resolve().parent == (appliance.layout.failed / "raad").resolve()


def make_mail(path: Path, attachments: list[tuple[str, bytes, str]]) -> Path:
    msg = EmailMessage()
    msg["From"] = "Dienst Burgerzaken <burgerzaken@belfort.example>"
    msg["To"] = "archief@belfort.example"
    msg["Subject"] = "Verslag infovergadering Marktplein"
    msg["Date"] = "Tue, 10 Mar 2026 10:00:00 +0100"
    msg.set_content(NOTE * 3)
    for name, data, ctype in attachments:
        maintype, subtype = ctype.split("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(msg))
    return path


def test_mail_with_a_corrupt_attachment_keeps_the_mail(appliance: Appliance, tmp_path: Path) -> None:
    mail = make_mail(tmp_path / "inbox" / "mail.eml", [
        ("bijlage.txt", (NOTE + " Bijlage met de planning.").encode(), "text/plain"),
        ("kapot.pdf", b"%PDF-1.4 not really a pdf \x00\xff", "application/pdf"),
    ])
    raw = mail.read_bytes()
    out = ingest_file(appliance, mail, "raad", keep_source=False)
    assert out.state == "ingested" and not mail.exists()
    states = sorted((c.state, c.code) for c in out.children)
    assert states == [("failed", "ingest.corrupt"), ("ingested", "")]
    doc = get_document(appliance, SYSTEM, out.document_id)  # type: ignore[arg-type]
    assert doc.kind == "eml" and len(doc.children) == 1
    child = get_document(appliance, SYSTEM, doc.children[0][0])
    assert child.parent_id == doc.id and child.source_path == "mail.eml/bijlage.txt"
    failed = next(c for c in out.children if c.state == "failed")
    row, reason = _failed_reason(appliance, failed.failed_id)  # type: ignore[arg-type]
    assert reason["original_name"] == "mail.eml/kapot.pdf" and reason["parent_document_id"] == doc.id
    assert Path(row.failed_path).read_bytes().startswith(b"%PDF-1.4 not")
    # The same mail again: a duplicate, and its attachments are not ingested twice.
    (tmp_path / "mail.eml").write_bytes(raw)
    again = ingest_file(appliance, tmp_path / "mail.eml", "raad")
    assert again.state == "duplicate" and again.children == []
    with read_session(appliance.db) as s:
        assert len(s.exec(select(Document).where(Document.parent_id == doc.id)).all()) == 1


def test_mail_children_resume_after_a_crash(appliance: Appliance, tmp_path: Path) -> None:
    """A crash after the mail's commit, before its attachments: the next run ingests them."""
    mail = make_mail(tmp_path / "mail.eml", [("planning.txt", (NOTE + " planning").encode(), "text/plain")])
    out = ingest_file(appliance, mail, "raad")
    from appliance.db.engine import write_session

    with write_session(appliance.db) as s:  # simulate: children never ran
        for child in s.exec(select(Document).where(Document.parent_id == out.document_id)).all():
            ids = [int(r[0]) for r in s.execute(sql("SELECT id FROM chunk WHERE document_id = :d"), {"d": child.id})]
            keyword_index(s).write(s, [], ids)
            s.execute(sql("DELETE FROM chunk WHERE document_id = :d"), {"d": child.id})
            s.execute(sql("DELETE FROM documentversion WHERE document_id = :d"), {"d": child.id})
            s.delete(child)
        parent = s.get(Document, out.document_id)
        parent.meta = {**parent.meta, "children_pending": True}  # type: ignore[union-attr]
        s.add(parent)
    again = ingest_file(appliance, mail, "raad")
    assert again.state == "duplicate" and [c.state for c in again.children] == ["ingested"]
    assert len(get_document(appliance, SYSTEM, out.document_id).children) == 1  # type: ignore[arg-type]
    assert ingest_file(appliance, mail, "raad").children == []  # pending flag cleared


def test_permission_checks_hide_existence(appliance: Appliance, tmp_path: Path) -> None:
    ensure_collection(appliance, "personeel", groups=["hr"])
    ensure_collection(appliance, "raad", groups=["raad", "iedereen"])
    secret = ingest_file(appliance, write(tmp_path / "loon.txt", NOTE + " loonfiche"), "personeel")
    public = ingest_file(appliance, write(tmp_path / "raad.txt", NOTE), "raad")
    with read_session(appliance.db) as s:
        gid = {g.name: g.id for g in s.exec(select(Group)).all()}
    staff = Principal(user_id=7, username="an", role="staff", group_ids=frozenset({gid["iedereen"]}))
    nobody = Principal(user_id=8, username="bo", role="staff")
    assert get_document(appliance, staff, public.document_id).title  # type: ignore[arg-type]
    for fn in (get_document, document_pages, original_file):
        for who in (staff, nobody):
            with pytest.raises(NotFound) as err:
                fn(appliance, who, secret.document_id)  # type: ignore[operator]
            assert err.value.status == 404 and err.value.code == "document.not_found"
        with pytest.raises(NotFound) as missing:
            fn(appliance, staff, 999_999)  # type: ignore[operator]
        assert missing.value.code == "document.not_found"  # same answer: existence does not leak
    assert [d.id for d in list_documents(appliance, staff)] == [public.document_id]
    assert list_documents(appliance, nobody) == []
    assert {d.collection for d in list_documents(appliance, SYSTEM)} == {"raad", "personeel"}
    assert list_documents(appliance, SYSTEM, collection="personeel")[0].id == secret.document_id


def test_collection_names_are_validated(appliance: Appliance) -> None:
    for bad in ("../etc", "Raad", "", "a b", "x" * 65):
        with pytest.raises(BelfortError) as err:
            ensure_collection(appliance, bad)
        assert err.value.code == "collection.invalid_name"
    coll = ensure_collection(appliance, "raad", title="Gemeenteraad", groups=["a", "b"])
    assert ensure_collection(appliance, "raad", groups=["a"]).id == coll.id


def test_bad_input_corpus_through_the_drop_folder(appliance: Appliance) -> None:
    """Every sample of the extraction corpus ends in a named state; nothing is lost."""
    from ops.commands.ingest import watch_oneshot
    from tests.filefactory import NEEDS_OCR, UNUSUAL_NAME, write_corpus

    folder = appliance.layout.inbox / "Corpus"
    expected = write_corpus(folder)
    originals = {name: (folder / name).read_bytes() for name in expected}
    watch_oneshot(appliance)
    assert [p for p in folder.rglob("*") if p.is_file()] == []
    with read_session(appliance.db) as s:
        docs = {d.source_path: d for d in s.exec(select(Document)).all()}
        failed = {f.original_name: f for f in s.exec(select(FailedFile)).all()}
    for name, outcome in expected.items():
        key = safe_name(name)
        if outcome.startswith("ingest."):
            assert failed[key].code == outcome, name
            assert Path(failed[key].failed_path).read_bytes() == originals[name]
            assert failed[key].hint
        else:
            doc = docs[key]
            assert doc.kind == outcome, name
            assert doc.state == ("needs_ocr" if name in NEEDS_OCR else "ingested"), name
            path, _, _ = original_file(appliance, SYSTEM, doc.id)  # type: ignore[arg-type]
            assert path.read_bytes() == originals[name]
            if name not in NEEDS_OCR:
                assert document_pages(appliance, SYSTEM, doc.id), name  # type: ignore[arg-type]
    assert failed["uitnodiging.eml/kapotte bijlage.pdf"].code == "ingest.corrupt"
    assert docs["uitnodiging.eml/agenda.pdf"].parent_id == docs["uitnodiging.eml"].id
    assert docs["bericht.msg/nota.txt"].parent_id == docs["bericht.msg"].id
    assert docs[safe_name(UNUSUAL_NAME)].language == "nl"
    c = counts(appliance)
    assert c["fts"] == c["active"] > 0


def safe_name(name: str) -> str:
    from appliance.storage.names import safe_relative_name

    return safe_relative_name(name)


def test_a_store_failure_keeps_the_file_and_commits_nothing(appliance: Appliance, tmp_path: Path) -> None:
    originals = appliance.layout.originals
    originals.rmdir()
    originals.write_text("not a folder")  # publishing the original now fails unexpectedly
    src = write(tmp_path / "besluit.txt", NOTE)
    out = ingest_file(appliance, src, "raad", keep_source=False)
    assert out.state == "failed" and out.code == "ingest.internal" and "NotADirectoryError" in out.message
    row, _ = _failed_reason(appliance, out.failed_id)  # type: ignore[arg-type]
    assert Path(row.failed_path).read_text(encoding="utf-8") == NOTE  # nothing lost
    assert counts(appliance)["documents"] == 0
    assert not list((appliance.settings.data_dir / "staging").glob("*/*"))  # staged copy cleaned up
    originals.unlink()
    originals.mkdir()
    assert retry_failed(appliance, out.failed_id).state == "ingested"  # type: ignore[arg-type]


class BrokenEmbedder(FakeEmbedder):
    def embed_passages(self, texts):  # type: ignore[no-untyped-def]
        raise RuntimeError("engine crashed")


def test_an_index_failure_is_deferred_and_repaired_at_the_next_start(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from appliance.context import open_appliance
    from appliance.documents.ingest import prepare_ingest

    broken = open_appliance(settings, embedder=BrokenEmbedder())
    src = write(tmp_path / "besluit.txt", NOTE * 10)
    out = ingest_file(broken, src, "raad", keep_source=False)
    assert out.state == "ingested" and out.code == "ingest.index_deferred" and not src.exists()
    healthy = open_appliance(settings, embedder=FakeEmbedder())
    prepare_ingest(healthy)
    with read_session(healthy.db) as s:
        active = set(s.exec(select(Chunk.id).where(Chunk.active)).all())  # type: ignore[arg-type]
        coll = s.exec(select(Document.collection_id)).one()
    assert active and healthy.index.ids(coll) == active
    c = counts(healthy)
    assert c["fts"] == c["active"]
