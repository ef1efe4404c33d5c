"""Adversarial: document-level readers (a share's ACL) apply to escalation tickets.

A ticket copies the sources of an answer. When one of those documents carries its own readers that
exclude a user's group, although the user reads its collection, that user must not see the
document's title or passage in the ticket list, the ticket page or the API: not the handler whose
group the share's ACL drops after the ticket was made, not the asker who loses the group that let
them read it, and not a route group that never could read it (the ticket then goes to admins).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from appliance import access, documents
from appliance.access import accounts
from appliance.access import tokens as api_tokens
from appliance.ask import tickets
from appliance.ask.answering import answer
from appliance.db.engine import read_session, write_session
from appliance.db.tables import Collection, Document, Group, Ticket
from tests.filefactory import make_text
from tests.integration.web_support import PW, World, bearer, build_world, csrf

SECRET_TEXT = "Vertrouwelijk: de gunning van de sporthal ging naar aannemer Vaartbouw voor 2,4 miljoen euro."
QUESTION = "gunning sporthal aannemer omgevingsvergunning Vaartstraat college verleend"


def _gid(app, name: str) -> str:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        return f"g{int(s.exec(select(Group.id).where(Group.name == name)).one())}"


def _who(app, name: str) -> access.Principal:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        who = access.requester(s, name)
    assert who is not None
    return who


def _readers(app, doc: int, *groups: str) -> None:  # type: ignore[no-untyped-def]
    with write_session(app.db) as s:
        access.set_document_readers(s, doc, [(_gid(app, g), "") for g in groups])


@pytest.fixture
def world(appliance, tmp_path) -> World:  # type: ignore[no-untyped-def]
    w = build_world(appliance, tmp_path)
    with write_session(appliance.db) as s:
        bouw = s.exec(select(Collection).where(Collection.name == "bouw")).one()
        bouw.route_department, bouw.route_mailbox = "Dienst Omgeving", ""
        bouw.settings_json = {**(bouw.settings_json or {}), "route_group": "omgevingsdienst"}
        s.add(bouw)
    accounts.create_user(appliance, "olga", PW, role="staff", groups=["omgevingsdienst"])
    accounts.create_user(appliance, "bert", PW, role="staff", groups=["bouwgroep", "bouwleiding"])
    accounts.set_collection_groups(appliance, "bouw", ["bouwgroep", "omgevingsdienst"])
    for user in ("olga", "bert"):
        w.tokens[user] = api_tokens.create_token(appliance, user, "tests")
    secret = documents.ingest_file(appliance, make_text(tmp_path / "src" / "aanbesteding-vaartbouw.txt",
                                                        SECRET_TEXT), "bouw").document_id
    assert secret is not None
    w.docs["secret"] = secret
    return w


def _title(app, doc: int) -> str:  # type: ignore[no-untyped-def]
    with read_session(app.db) as s:
        d = s.get(Document, doc)
        assert d is not None
        return d.title or d.source_path


def _bert_forwards(world: World) -> Ticket:
    app = world.app
    ans = answer(app, _who(app, "bert"), QUESTION)
    used = {s.document_id for s in ans.sources}
    assert ans.status == "extractive" and used == {world.docs["bouw"], world.docs["secret"]}, (ans.status, used)
    assert "Vaartbouw" in ans.text  # the answer quotes the restricted passage
    return tickets.forward(app, _who(app, "bert"), ans.audit_id or 0)


def _assert_hidden(world: World, client, user: str, ticket_id: int, title: str) -> None:  # type: ignore[no-untyped-def]
    """`user` may open the ticket but sees neither the restricted source nor the answer quoting it."""
    info = tickets.get_ticket(world.app, _who(world.app, user), ticket_id)
    assert [s["document_id"] for s in info.sources] == [world.docs["bouw"]] and info.answer_hidden
    page = client.get(f"/tickets/{ticket_id}").text
    assert "Sporthal Vaartstraat" in page  # the source the user reads is still listed
    assert title not in page and "Vaartbouw" not in page and "miljoen" not in page
    assert f"/documents/{world.docs['secret']}" not in page
    listing = client.get("/tickets").text
    assert f'href="/tickets/{ticket_id}"' in listing and "Vaartbouw" not in listing and title not in listing
    with world.client() as api:
        one = api.get(f"/api/v1/tickets/{ticket_id}", headers=bearer(world, user))
        assert one.status_code == 200, one.text
        assert [s["document_id"] for s in one.json()["sources"]] == [world.docs["bouw"]]
        assert one.json()["answer"] == ""
        listed = api.get("/api/v1/tickets", headers=bearer(world, user)).text
        for body in (one.text, listed):
            assert title not in body and "Vaartbouw" not in body and "miljoen" not in body


def test_a_handler_excluded_by_the_share_acl_sees_neither_title_nor_passage(world, signed_in):  # type: ignore[no-untyped-def]
    app, secret = world.app, world.docs["secret"]
    title = _title(app, secret)
    # The share lets the building management and the handlers read it when the ticket is made.
    _readers(app, secret, "bouwleiding", "omgevingsdienst")
    t = _bert_forwards(world)
    assert t.collection == "bouw" and {s["document_id"] for s in t.sources} == {world.docs["bouw"], secret}
    olga = signed_in("olga")
    assert title in olga.get(f"/tickets/{t.id}").text  # allowed today: shown
    # The next crawl drops the handlers from the file's ACL; the collection stays readable to them.
    _readers(app, secret, "bouwleiding")
    with read_session(app.db) as s:
        assert access.can_read_document(s, _who(app, "olga"), world.docs["bouw"])
        assert not access.can_read_document(s, _who(app, "olga"), secret)
    _assert_hidden(world, olga, "olga", t.id or 0, title)
    # The asker still reads it all.
    bert = signed_in("bert")
    page = bert.get(f"/tickets/{t.id}").text
    assert title in page and "Vaartbouw" in page


def test_the_asker_who_loses_the_group_loses_the_source(world, signed_in):  # type: ignore[no-untyped-def]
    app, secret = world.app, world.docs["secret"]
    title = _title(app, secret)
    _readers(app, secret, "bouwleiding", "omgevingsdienst")
    t = _bert_forwards(world)
    accounts.update_user(app, "bert", groups=["bouwgroep"])  # the directory sync removes bouwleiding
    _assert_hidden(world, signed_in("bert"), "bert", t.id or 0, title)


def test_a_route_group_that_cannot_read_a_source_does_not_get_the_ticket(world, signed_in):  # type: ignore[no-untyped-def]
    app, secret = world.app, world.docs["secret"]
    title = _title(app, secret)
    _readers(app, secret, "bouwleiding")  # the handlers never could read it
    t = _bert_forwards(world)
    assert (t.collection, t.department) == ("", "")  # admins handle it
    olga = signed_in("olga")
    assert olga.get(f"/tickets/{t.id}").status_code == 404
    listing = olga.get("/tickets").text
    assert f"/tickets/{t.id}" not in listing and title not in listing
    with world.client() as api:
        assert api.get(f"/api/v1/tickets/{t.id}", headers=bearer(world, "olga")).status_code == 404
        assert api.get("/api/v1/tickets", headers=bearer(world, "olga")).json() == []
    assert olga.post(f"/tickets/{t.id}/reply", data={"reply": "x", "_csrf_token": csrf(olga)}).status_code == 404
    admin = tickets.get_ticket(app, _who(app, "admin"), t.id or 0)
    assert admin.may_handle and {s["document_id"] for s in admin.sources} == {world.docs["bouw"], secret}
