"""Document-level readers in every read path, without any server: a document with its own readers in a
readable collection is left out of search (hits, totals, snippets), passages, downloads, Ask, the
API and tickets for a reader not allowed, ranking inside the filter (no lost results); the admin
console's permission views show the same."""

from __future__ import annotations

from sqlmodel import select

from appliance import access, documents
from appliance.ask.answering import answer
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Group
from appliance.errors import NotFound
from appliance.search import search
from tests.filefactory import make_text
from tests.integration.web_support import bearer, build_world, sign_in


def _gid(app, name: str) -> int:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        return int(s.exec(select(Group.id).where(Group.name == name)).one())


def _who(app, name: str) -> access.Principal:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        who = access.requester(s, name)
    assert who is not None
    return who


def test_document_readers_apply_in_every_read_path(appliance, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = build_world(appliance, tmp_path)
    access.create_user(appliance, "bert", "een lang wachtwoord", groups=["bouwgroep", "bouwleiding"])
    secret = documents.ingest_file(appliance, make_text(tmp_path / "src" / "tender.txt",
                                   "Vertrouwelijk: de gunning van de sporthal aan aannemer Vaartbouw."), "bouw").document_id
    many = [documents.ingest_file(appliance, make_text(tmp_path / "src" / f"n{i}.txt",
            f"Nota {i} over de sporthal en de gunning."), "bouw").document_id for i in range(12)]
    assert secret is not None
    with write_session(appliance.db) as s:
        assert access.set_document_readers(s, secret, [(f"g{_gid(appliance, 'bouwleiding')}", "S-1-5-21-1-1-1-9")])
        for d in many:  # twelve more restricted documents anna may not read: ranking must still fill up
            access.set_document_readers(s, d, [(f"g{_gid(appliance, 'bouwleiding')}", "")])
    anna, bert = _who(appliance, "anna"), _who(appliance, "bert")
    hits = search(appliance, anna, "gunning sporthal aannemer", limit=10)
    assert secret not in {h.document_id for h in hits.hits} and not set(many) & {h.document_id for h in hits.hits}
    assert world.docs["bouw"] in {h.document_id for h in hits.hits}  # the readable one still ranks
    for mode in ("keyword", "vector", "hybrid"):
        shown = {h.document_id for h in search(appliance, anna, "gunning Vaartbouw", mode=mode).hits}
        assert secret not in shown and not set(many) & shown, mode
        assert secret in {h.document_id for h in search(appliance, bert, "gunning Vaartbouw", mode=mode, limit=20).hits}
    for read in (documents.get_document, documents.document_pages, documents.original_file):
        try:
            read(appliance, anna, secret)
            raise AssertionError(f"{read.__name__} let anna read it")
        except NotFound:
            pass
    assert secret not in {d.id for d in documents.list_documents(appliance, anna, limit=100)}
    assert secret not in {s.document_id for s in answer(appliance, anna, "Aan wie werd de sporthal gegund?").sources}
    assert documents.get_document(appliance, bert, secret).id == secret
    with world.client() as web:
        hits_api = web.get("/api/v1/search", params={"q": "Vaartbouw gunning"}, headers=bearer(world, "anna")).json()
        assert secret not in {h["document_id"] for h in hits_api["hits"]} and "aannemer" not in str(hits_api)
        assert web.get(f"/api/v1/documents/{secret}/original", headers=bearer(world, "anna")).status_code == 404
        assert sign_in(web, "admin").status_code in (302, 303)
        page = web.get(f"/admin/documents/{secret}/readers").text
        now = page.split("<h2>")[-1]  # the last section: users who can read it now
        assert "bouwleiding" in page and "bert" in now and "anna" not in now
        assert "S-1-5-21-1-1-1-9" in page
        reads = web.get("/admin/users/anna/reads").text
        assert "tender" in reads and "bouw" in reads
        assert web.get("/admin/directory").status_code == 200
        assert web.get("/admin/permissions", params={"document": secret}, follow_redirects=False).headers["location"] \
            == f"/admin/documents/{secret}/readers"
    # Clearing the readers gives the document back to the collection's readers.
    with write_session(appliance.db) as s:
        access.clear_document_readers(s, secret)
    assert secret in {h.document_id for h in search(appliance, anna, "gunning Vaartbouw", limit=20).hits}
