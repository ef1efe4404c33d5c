"""The admin console's permission views: who can read a document, and what a user can read.
Computed from the same rules every read path applies (collections + document readers), now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import text as sql
from sqlmodel import col, select

from appliance.access.principals import Principal, principal_for, readable_collection_ids, requester
from appliance.access.readers import read_scope, readable_document_ids
from appliance.db.engine import read_session
from appliance.db.tables import (
    Collection,
    CollectionGroup,
    Document,
    DocumentAcl,
    DocumentReader,
    Group,
    User,
)
from appliance.errors import NotFound
from appliance.index.acl import hidden_documents

if TYPE_CHECKING:
    from appliance.context import Appliance

MAX_LISTED = 200


@dataclass(frozen=True)
class ReaderEntry:
    principal: str  # group or user name, or "everyone"
    kind: str  # group | user | everyone
    sid: str
    deny: bool


@dataclass
class DocumentReaders:
    document_id: int
    title: str
    collection: str
    collection_groups: list[str]
    own_readers: bool
    source: str
    entries: list[ReaderEntry] = field(default_factory=list)
    unresolved: list[str] = field(default_factory=list)
    readers: list[str] = field(default_factory=list)  # users who can read it now (active accounts)
    admins: list[str] = field(default_factory=list)


@dataclass
class UserReads:
    username: str
    role: str
    active: bool
    groups: list[str]
    collections: list[str]
    restricted_readable: int = 0
    hidden: list[tuple[int, str, str]] = field(default_factory=list)  # (document id, title, collection)
    hidden_count: int = 0


def _entry(names: dict[int, str], users: dict[int, str], r: DocumentReader) -> ReaderEntry:
    kind, ident = r.principal[0], r.principal[1:]
    if kind == "g":
        return ReaderEntry(names.get(int(ident), r.principal), "group", r.sid, r.deny)
    if kind == "u":
        return ReaderEntry(users.get(int(ident), r.principal), "user", r.sid, r.deny)
    return ReaderEntry("everyone", "everyone", r.sid, r.deny)


def document_readers(app: Appliance, document_id: int) -> DocumentReaders:
    """Who can read the document now (for administrators; the caller checks the role)."""
    with read_session(app.db) as s:
        doc = s.get(Document, document_id)
        if doc is None or doc.id is None:
            raise NotFound("document.not_found", f"document {document_id} not found", hint="check the id")
        coll = s.get(Collection, doc.collection_id)
        names = {int(g or 0): n for g, n in s.exec(select(Group.id, Group.name)).all()}
        users = {int(u.id or 0): u.username for u in s.exec(select(User)).all()}
        cgroups = sorted(names[g] for g in s.exec(select(CollectionGroup.group_id)
                                                   .where(CollectionGroup.collection_id == doc.collection_id)).all())
        acl = s.get(DocumentAcl, doc.id)
        rows = s.exec(select(DocumentReader).where(DocumentReader.document_id == doc.id)
                      .order_by(col(DocumentReader.deny).desc(), col(DocumentReader.principal))).all()
        out = DocumentReaders(doc.id, doc.title or doc.source_path, coll.name if coll else "", cgroups,
                              acl is not None, acl.source if acl else "", [_entry(names, users, r) for r in rows],
                              list(acl.unresolved) if acl else [])
        for user in s.exec(select(User).where(col(User.active).is_(True)).order_by(col(User.username))).all():
            who = principal_for(s, user)
            if who.is_admin:
                out.admins.append(user.username)
            elif doc.id in readable_document_ids(s, who, [doc.id]):
                out.readers.append(user.username)
        return out


def user_reads(app: Appliance, username: str) -> UserReads:
    """What a user can read now: collections, and the documents with own readers hidden from them."""
    with read_session(app.db) as s:
        user = s.exec(select(User).where(User.username == username)).first()
        if user is None:
            raise NotFound("accounts.no_user", f"no user '{username}'", hint="check the user name")
        who: Principal = requester(s, username) or principal_for(s, user)
        names = dict(s.exec(select(Group.id, Group.name)).all())
        readable = readable_collection_ids(s, who) if user.active else set()
        cols = dict(s.exec(select(Collection.id, Collection.name)).all())
        out = UserReads(user.username, user.role, user.active, sorted(names[g] for g in who.group_ids if g in names),
                        sorted(cols[c] for c in readable if c in cols))
        scope = read_scope(s, who)
        hidden = sorted(hidden_documents(s, scope)) if user.active else []
        out.hidden_count = len(hidden)
        if hidden:
            ids = ",".join(str(d) for d in hidden[:MAX_LISTED])
            out.hidden = [(int(r[0]), str(r[1] or r[2]), cols.get(int(r[3]), "")) for r in s.execute(sql(
                f"SELECT id, title, source_path, collection_id FROM document WHERE id IN ({ids}) ORDER BY id"))]
        if scope.collections and scope.readers is not None:
            cids = ",".join(str(c) for c in scope.collections)
            restricted = int(s.execute(sql(
                "SELECT count(*) FROM documentacl a JOIN document d ON d.id = a.document_id "
                f"WHERE d.collection_id IN ({cids})")).scalar_one() or 0)
            out.restricted_readable = restricted - len(hidden)
        return out
