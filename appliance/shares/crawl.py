"""Crawling a share: new and changed files go through the ordinary ingest pipeline (idempotent by
content hash), each file's NTFS ACL becomes its document's readers (re-read every crawl, so a
permission change on the share arrives at the next crawl), and files gone from the share are retired,
but only after a complete listing: a share that disappears or fails mid-crawl retires nothing.
Files the crawl's account cannot read are reported, never skipped silently."""

from __future__ import annotations

import hashlib
import logging
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text as sql
from sqlmodel import Session, select

from appliance import documents
from appliance.access import clear_document_readers, set_document_readers
from appliance.db.engine import read_session, write_session
from appliance.db.tables import AuditEvent, Document, Share, ShareFile, utcnow
from appliance.errors import NotFound
from appliance.index.sync import unindex_chunks
from appliance.shares import secrets
from appliance.shares.acl import Readers, readers_of
from appliance.shares.smb import Entry, ShareError, SmbShare, Unreadable, parse_dacl
from appliance.storage.names import safe_relative_name

if TYPE_CHECKING:
    from appliance.context import Appliance

log = logging.getLogger(__name__)
MAX_REPORTED = 200  # file names kept per list on the crawl record


@dataclass
class CrawlReport:
    share: str
    ok: bool = True
    error: str = ""
    seen: int = 0
    ingested: int = 0
    unchanged: int = 0
    acl_changed: int = 0
    retired: int = 0
    unreadable: list[dict[str, str]] = field(default_factory=list)
    unresolved_sids: dict[str, list[str]] = field(default_factory=dict)  # SID -> files naming it
    failed: list[dict[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["unreadable"] = out["unreadable"][:MAX_REPORTED]
        out["failed"] = out["failed"][:MAX_REPORTED]
        out["unresolved_sids"] = {k: v[:20] for k, v in list(out["unresolved_sids"].items())[:MAX_REPORTED]}
        return out


def _client(app: Appliance, row: Share) -> SmbShare:
    return SmbShare(row.server, row.share, port=row.port, username=row.username, domain=row.domain,
                    password=secrets.decrypt(app, row.secret))


def crawl_share(app: Appliance, name: str) -> CrawlReport:
    with read_session(app.db) as s:
        row = s.exec(select(Share).where(Share.name == name)).first()
    if row is None or row.id is None:
        raise NotFound("shares.not_found", f"no share '{name}'", hint="belfort shares list")
    report = CrawlReport(share=name)
    client = _client(app, row)
    try:
        try:
            entries = list(client.walk(row.path))  # the whole listing first: retiring needs all of it
        except ShareError as exc:
            report.ok, report.error = False, str(exc)[:500]
            return _finish(app, row, report)
        report.seen = len(entries)
        for entry in entries:
            _crawl_file(app, row, client, entry, report)
        _retire_missing(app, row, {_rel(row, e) for e in entries}, report)
    finally:
        client.close()
    return _finish(app, row, report)


def _rel(row: Share, entry: Entry) -> str:
    """The file's path under the share's folder (what ShareFile and the document name keep)."""
    prefix = row.path + "/" if row.path else ""
    return entry.path.removeprefix(prefix)


def _crawl_file(app: Appliance, row: Share, client: SmbShare, entry: Entry, report: CrawlReport) -> None:
    rel = _rel(row, entry)
    try:
        aces = parse_dacl(client.security(entry.path))
        with read_session(app.db) as s:
            known = s.exec(select(ShareFile).where(ShareFile.share_id == row.id, ShareFile.rel_path == rel)).first()
        changed = (known is None or known.document_id is None or known.state != "active"
                   or known.size != entry.size or known.mtime != entry.mtime)
        doc_id, digest = (known.document_id, known.content_hash) if known is not None else (None, "")
        if changed:
            data = client.read(entry.path, app.settings.shares.max_file_mb * 1024 * 1024)
            digest = hashlib.sha256(data).hexdigest()
            doc_id = _ingest(app, row, rel, data, aces, report)
            if doc_id is None:
                return
        else:
            report.unchanged += 1
        _store(app, row, rel, entry, doc_id, digest, aces, report)
    except Unreadable as exc:
        report.unreadable.append({"path": rel, "reason": str(exc)[:300]})
        _mark(app, row, rel, "unreadable", str(exc)[:300])
    except (ValueError, IndexError) as exc:  # a malformed security descriptor
        report.failed.append({"path": rel, "reason": f"bad security descriptor: {exc}"[:300]})


def _placeholder(app: Appliance, row: Share, name: str, aces: Any) -> tuple[int, bool]:
    """The document the file becomes, with its readers set BEFORE any chunk is indexed: a new file is
    never searchable by the whole collection for a moment. Returns (id, whether it was created now)."""
    coll = documents.ensure_collection(app, row.collection)
    assert coll.id is not None
    with write_session(app.db) as s:
        doc = s.exec(select(Document).where(Document.collection_id == coll.id, Document.source_path == name)).first()
        created = doc is None
        if doc is None:
            doc = Document(collection_id=coll.id, source_path=name, state="pending", state_detail="crawling")
            s.add(doc)
            s.flush()
        assert doc.id is not None
        _apply(s, doc.id, readers_of(s, aces, {}), row.name)
        return doc.id, created


def _drop_placeholder(app: Appliance, doc_id: int) -> None:
    with write_session(app.db) as s:
        doc = s.get(Document, doc_id)
        if doc is not None and doc.current_version_id is None:
            clear_document_readers(s, doc_id)
            s.delete(doc)


def _ingest(app: Appliance, row: Share, rel: str, data: bytes, aces: Any, report: CrawlReport) -> int | None:
    name = safe_relative_name(f"{row.name}/{rel}")
    placeholder, created = _placeholder(app, row, name, aces)
    suffix = Path(rel).suffix if len(Path(rel).suffix) <= 16 else ""
    app.layout.staging.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="share-", dir=app.layout.staging) as tmp:
        path = Path(tmp) / f"file{suffix}"
        path.write_bytes(data)
        outcome = documents.ingest_file(app, path, row.collection, source_name=name, actor=f"share:{row.name}")
    if created and outcome.document_id != placeholder:
        _drop_placeholder(app, placeholder)  # a failed file, or the same bytes as another document
    if outcome.document_id is None:
        report.failed.append({"path": rel, "reason": f"{outcome.code}: {outcome.message}"[:300]})
        return None
    report.ingested += outcome.state != "duplicate"
    return outcome.document_id


def _store(app: Appliance, row: Share, rel: str, entry: Entry, doc_id: int | None, digest: str,
           aces: Any, report: CrawlReport) -> None:
    assert doc_id is not None and row.id is not None
    with write_session(app.db) as s:
        readers = readers_of(s, aces, {})
        _apply(s, doc_id, readers, row.name)
        for sid in readers.unresolved:
            report.unresolved_sids.setdefault(sid, []).append(rel)
        file = s.exec(select(ShareFile).where(ShareFile.share_id == row.id, ShareFile.rel_path == rel)).first()
        file = file or ShareFile(share_id=row.id, rel_path=rel)
        report.acl_changed += bool(file.id is not None and file.acl_hash != readers.fingerprint())
        file.document_id, file.content_hash, file.size, file.mtime = doc_id, digest, entry.size, entry.mtime
        file.acl_hash, file.state, file.detail, file.seen_at = readers.fingerprint(), "active", "", utcnow()
        s.add(file)


def _apply(s: Session, doc_id: int, readers: Readers, share: str) -> bool:
    if readers.open:
        return clear_document_readers(s, doc_id)
    return set_document_readers(s, doc_id, readers.allow, readers.deny, unresolved=readers.unresolved,
                                source=f"share:{share}")


def _mark(app: Appliance, row: Share, rel: str, state: str, detail: str) -> None:
    assert row.id is not None
    with write_session(app.db) as s:
        file = s.exec(select(ShareFile).where(ShareFile.share_id == row.id, ShareFile.rel_path == rel)).first()
        file = file or ShareFile(share_id=row.id, rel_path=rel)
        file.state, file.detail, file.seen_at = state, detail, utcnow()
        s.add(file)


def _retire_missing(app: Appliance, row: Share, present: set[str], report: CrawlReport) -> None:
    """Files the complete listing no longer shows: their documents are retired (out of search)."""
    chunk_ids: list[int] = []
    with write_session(app.db) as s:
        for file in s.exec(select(ShareFile).where(ShareFile.share_id == row.id, ShareFile.state != "retired")).all():
            if file.rel_path in present:
                continue
            file.state, file.detail = "retired", "removed from the share"
            s.add(file)
            doc = s.get(Document, file.document_id) if file.document_id else None
            if doc is not None and doc.state != "retired":
                doc.state, doc.state_detail, doc.updated_at = "retired", "removed from the share", utcnow()
                s.add(doc)
                chunk_ids += [int(r[0]) for r in s.execute(sql("SELECT id FROM chunk WHERE document_id = :d"),
                                                           {"d": doc.id})]
            report.retired += 1
    if chunk_ids:
        unindex_chunks(app, chunk_ids)


def _finish(app: Appliance, row: Share, report: CrawlReport) -> CrawlReport:
    with write_session(app.db) as s:
        share = s.get(Share, row.id)
        if share is not None:
            share.last_crawl_at, share.last_crawl = utcnow(), report.as_dict()
            s.add(share)
        s.add(AuditEvent(actor=f"share:{row.name}", action="share.crawl", target=row.name,
                         detail={k: v for k, v in report.as_dict().items() if not isinstance(v, (list, dict))}
                         | {"unreadable": len(report.unreadable), "unresolved": len(report.unresolved_sids)}))
    if not report.ok:
        log.warning("share %s: crawl failed, nothing retired: %s", row.name, report.error)
    return report


def crawl_all(app: Appliance) -> list[CrawlReport]:
    with read_session(app.db) as s:
        names = [r.name for r in s.exec(select(Share)).all()]
    return [crawl_share(app, n) for n in names]
