"""Issue 13, SMB shares as sources against a real Samba smbd (and the real slapd for the SIDs):
NTFS ACLs become document readers (allow, deny, Everyone, an SID nobody has), a file the crawl's
account cannot read is reported, unusual Unicode and long names work, a permission change arrives at
the next crawl, a deleted file is retired, a share that disappears retires nothing, and a file whose
ACL excludes a group is invisible to that group in search, Ask and downloads although its
collection is readable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import select

from appliance import access, documents, shares
from appliance.ask.answering import answer
from appliance.context import Appliance, open_appliance
from appliance.db.engine import read_session
from appliance.db.tables import Document, Share
from appliance.errors import NotFound
from appliance.search import search
from models.fakes import FakeEmbedder
from tests.conftest import make_settings
from tests.integration.ldap_server import (
    DOMAIN_SID,
    Slapd,
    group_ldif,
    needs_slapd,
    running_slapd,
    user_dn,
    user_ldif,
)
from tests.integration.smb_server import CRAWL_PW, FILE_READ, FULL, Samba, needs_samba, running_samba

pytestmark = [pytest.mark.enable_socket, pytest.mark.allow_hosts(["127.0.0.1"]), needs_slapd, needs_samba]

PW = "directory-wachtwoord-1"
UNICODE = "Bouw/Ünïcödé — 𝔇ossier «café» ﬁnale " + "ëlongname-" * 14 + ".txt"
FILES = {
    "Bouw/sporthal.txt": "De omgevingsvergunning voor de sporthal aan de Vaartstraat werd verleend.",
    UNICODE: "Het zwembad Oosterpark krijgt een nieuwe zonnepaneleninstallatie.",
    "HR/loon.txt": "Loonschalen en het vakantiegeld van het personeel in 2025.",
    "Geheim/verboden.txt": "Het tuchtdossier van een personeelslid.",
}
UNKNOWN_SID = "S-1-5-21-9-9-9-4242"


def sid(rid: int) -> str:
    return f"{DOMAIN_SID}-{rid}"


@pytest.fixture(scope="module")
def slapd() -> Iterator[Slapd]:
    people = "".join(user_ldif(n, PW, 1100 + i) for i, n in enumerate(["anna", "wout"]))
    groups = (group_ldif("GG Bouw", 2001, [user_dn("anna")]) + group_ldif("GG Welzijn", 2003, [user_dn("wout")])
              + group_ldif("Loop A", 2004, [user_dn("anna")]))
    yield from running_slapd(people + groups)


@pytest.fixture
def samba() -> Iterator[Samba]:
    yield from running_samba(FILES)


def _acls(samba: Samba) -> None:
    me = samba.crawler_sid
    samba.set_acl("Bouw/sporthal.txt", [(False, sid(2001), FILE_READ), (False, me, FULL)])
    samba.set_acl(UNICODE, [(False, "S-1-1-0", FILE_READ), (False, me, FULL)])
    samba.set_acl("HR/loon.txt", [(True, sid(2004), FILE_READ), (False, sid(2003), FILE_READ),
                                  (False, sid(2001), FILE_READ), (False, UNKNOWN_SID, FILE_READ), (False, me, FULL)])
    samba.set_acl("Geheim/verboden.txt", [(False, sid(2003), FILE_READ)])  # not the crawl's account


def _app(tmp_path, slapd: Slapd, samba: Samba) -> Appliance:  # type: ignore[no-untyped-def]
    app = open_appliance(make_settings(tmp_path, ldap=slapd.settings()), embedder=FakeEmbedder())
    assert access.ldap_sync(app).ok
    documents.ensure_collection(app, "archief", "Archief", [])
    access.set_collection_groups(app, "archief", ["GG-Bouw", "GG-Welzijn"])  # both read the collection
    shares.add_share(app, "archief", server="127.0.0.1", port=samba.port, share="archief", collection="archief",
                     username="nobody", password=CRAWL_PW)
    return app


def _who(app: Appliance, name: str) -> access.Principal:
    with read_session(app.db) as s:
        who = access.requester(s, name)
    assert who is not None
    return who


def _found(app: Appliance, name: str, query: str) -> set[str]:
    return {h.source_path.rsplit("/", 1)[-1] for h in search(app, _who(app, name), query, limit=20).hits}


def _doc(app: Appliance, rel: str) -> int:
    with read_session(app.db) as s:
        doc = s.exec(select(Document).where(Document.source_path.endswith(rel.rsplit("/", 1)[-1][:40]))).first()  # type: ignore[attr-defined]
        assert doc is not None and doc.id is not None
        return doc.id


def test_share_acls_become_document_readers_in_every_read_path(tmp_path, slapd, samba) -> None:  # type: ignore[no-untyped-def]
    _acls(samba)
    app = _app(tmp_path, slapd, samba)
    report = shares.crawl_share(app, "archief")
    assert report.ok and report.seen == 4 and report.ingested == 3, report
    assert [u["path"] for u in report.unreadable] == ["Geheim/verboden.txt"]  # reported, not skipped silently
    assert UNKNOWN_SID in report.unresolved_sids and report.unresolved_sids[UNKNOWN_SID] == ["HR/loon.txt"]
    # GG-Welzijn reads the collection, but the share's ACL of sporthal.txt excludes it.
    assert "sporthal.txt" not in _found(app, "wout", "sporthal vergunning")
    assert "sporthal.txt" in _found(app, "anna", "sporthal vergunning")
    ask = answer(app, _who(app, "wout"), "Wie verleende de vergunning voor de sporthal?")
    assert _doc(app, "sporthal.txt") not in {s.document_id for s in ask.sources}
    with pytest.raises(NotFound):
        documents.original_file(app, _who(app, "wout"), _doc(app, "sporthal.txt"))
    # anna is allowed through GG Bouw but denied through Loop A: the deny entry wins.
    assert "loon.txt" not in _found(app, "anna", "loonschalen vakantiegeld")
    assert "loon.txt" in _found(app, "wout", "loonschalen vakantiegeld")
    with pytest.raises(NotFound):
        documents.get_document(app, _who(app, "anna"), _doc(app, "HR/loon.txt"))
    # Everyone: the collection's readers; the long Unicode name survives as the document's name.
    for name in ("anna", "wout"):
        assert any(f.startswith("Ünïcödé — 𝔇ossier") for f in _found(app, name, "zwembad zonnepanelen"))
    # The next crawl: nothing new to ingest; a permission change on the share arrives.
    samba.set_acl("Bouw/sporthal.txt", [(False, sid(2001), FILE_READ), (False, sid(2003), FILE_READ),
                                         (False, samba.crawler_sid, FULL)])
    again = shares.crawl_share(app, "archief")
    assert again.ok and again.ingested == 0 and again.unchanged == 3 and again.acl_changed == 1, again
    assert "sporthal.txt" in _found(app, "wout", "sporthal vergunning")
    # A file deleted on the share is retired; a share that disappears retires nothing.
    (samba.root / "HR" / "loon.txt").unlink()
    assert shares.crawl_share(app, "archief").retired == 1
    assert "loon.txt" not in _found(app, "wout", "loonschalen vakantiegeld")
    samba.stop()
    gone = shares.crawl_share(app, "archief")
    assert not gone.ok and gone.retired == 0 and gone.error
    assert "sporthal.txt" in _found(app, "anna", "sporthal vergunning")
    with read_session(app.db) as s:
        row = s.exec(select(Share)).one()
        assert CRAWL_PW not in row.secret and row.secret  # encrypted at rest
        assert row.last_crawl["ok"] is False
