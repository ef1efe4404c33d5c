"""Document-level readers on top of collection permissions.

A document reads like its collection unless it carries its own readers (a DocumentAcl row, e.g.
from an SMB share's NTFS ACL): then a reader needs the collection AND one allowed principal, and
any deny entry of theirs wins. Admins and the system read every document of every collection.
Everything is read from the database per call: a group removed by the directory sync takes effect
at the next search, answer or download.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import text as sql
from sqlmodel import Session, col, select

from appliance.access.principals import Principal, readable_collection_ids
from appliance.db.tables import Document, DocumentAcl, DocumentReader, utcnow
from appliance.index.acl import ReadScope, readable_sql
from appliance.index.keywords import refresh_document_scope


def principal_keys(who: Principal) -> tuple[str, ...]:
    """The keys a document's reader entries name `who` by: their user and each of their groups."""
    keys = ["a0"] + [f"g{int(g)}" for g in sorted(who.group_ids)]  # a0: "Everyone" on a share
    if who.user_id is not None:
        keys.insert(1, f"u{int(who.user_id)}")
    return tuple(keys)


def read_scope(session: Session, who: Principal, collections: Iterable[int] | None = None) -> ReadScope:
    """What `who` may read now, optionally narrowed to `collections` (ids)."""
    readable = readable_collection_ids(session, who)
    if collections is not None:
        readable &= {int(c) for c in collections}
    return ReadScope(tuple(sorted(readable)), None if who.is_admin else principal_keys(who))


def readable_document_ids(session: Session, who: Principal, document_ids: Iterable[int]) -> set[int]:
    """The documents among `document_ids` that `who` may read (collection and document permissions)."""
    ids = sorted({int(d) for d in document_ids})
    scope = read_scope(session, who)
    if not ids or not scope.collections:
        return set()
    out: set[int] = set()
    cols = ",".join(str(c) for c in scope.collections)
    for start in range(0, len(ids), 500):
        part = ",".join(str(i) for i in ids[start:start + 500])
        out |= {int(r[0]) for r in session.execute(sql(
            f"SELECT d.id FROM document d WHERE d.id IN ({part}) AND d.collection_id IN ({cols}) "
            f"AND {readable_sql(scope)}"))}
    return out


def can_read_document(session: Session, who: Principal, document_id: int) -> bool:
    return int(document_id) in readable_document_ids(session, who, [document_id])


def _family(session: Session, document_id: int) -> list[int]:
    """The document and its attachments (mail parts), which share its readers."""
    ids, todo = [int(document_id)], [int(document_id)]
    while todo:
        kids = session.exec(select(Document.id).where(col(Document.parent_id).in_(todo))).all()
        todo = [int(k) for k in kids if k is not None and int(k) not in ids]
        ids += todo
    return ids


def set_document_readers(session: Session, document_id: int, allow: Sequence[tuple[str, str]],
                         deny: Sequence[tuple[str, str]] = (), *, unresolved: Sequence[str] = (),
                         source: str = "admin") -> bool:
    """Give a document (and its attachments) its own readers: (principal key, SID) pairs. Returns
    whether anything changed; the keyword index's scope column follows in the same transaction."""
    wanted = sorted({(k, False, s) for k, s in allow} | {(k, True, s) for k, s in deny})
    family = _family(session, document_id)
    changed = False
    for doc in family:
        acl = session.get(DocumentAcl, doc)
        rows = session.exec(select(DocumentReader).where(DocumentReader.document_id == doc)).all()
        have = sorted((r.principal, r.deny, r.sid) for r in rows)
        if acl is not None and have == wanted and sorted(acl.unresolved) == sorted(unresolved):
            continue
        changed = True
        for r in rows:
            session.delete(r)
        session.flush()
        for key, is_deny, sid in wanted:
            session.add(DocumentReader(document_id=doc, principal=key, deny=is_deny, sid=sid))
        acl = acl or DocumentAcl(document_id=doc)
        acl.source, acl.unresolved, acl.updated_at = source, sorted(set(unresolved)), utcnow()
        session.add(acl)
    if changed:
        session.flush()
        refresh_document_scope(session, family)
    return changed


def clear_document_readers(session: Session, document_id: int) -> bool:
    """The document (and its attachments) read like their collection again."""
    family = _family(session, document_id)
    acls = session.exec(select(DocumentAcl).where(col(DocumentAcl.document_id).in_(family))).all()
    if not acls:
        return False
    for r in session.exec(select(DocumentReader).where(col(DocumentReader.document_id).in_(family))).all():
        session.delete(r)
    for a in acls:
        session.delete(a)
    session.flush()
    refresh_document_scope(session, family)
    return True
